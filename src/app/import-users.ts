import { validateFieldValues } from '../domain/custom-fields.js';
import { AppError, isAppError, notFound } from '../domain/errors.js';
import { evaluateGrant } from '../domain/grant-rules.js';
import type { ImportRepo, ImportStore, ImportUserWrite } from '../domain/import-ports.js';
import {
  ATTEST_PERMISSION,
  IMPORT_LIMITS,
  type ImportRow,
  parseImportRecord,
  type RowError,
  verifiedClaim,
} from '../domain/import-rows.js';
import type { Repos } from '../domain/ports.js';
import { evaluateRank } from '../domain/rank-rule.js';
import { isOperationRole, type Role } from '../domain/role.js';
import type { Tenant } from '../domain/tenant.js';
import { type AppDeps, audit, type Ctx, loadRoleMap, requirePermission } from './context.js';
import { changedBySomeoneElse, queueMail } from './mail-outbox.js';

export interface ImportDeps extends AppDeps {
  importStore: ImportStore;
}

export type ImportMode = 'create' | 'upsert';

/** What a dry run shows and an apply did. Errors name the line, the field and a stable code. */
export interface ImportReport {
  dryRun: boolean;
  mode: ImportMode;
  rows: number;
  toCreate: number;
  toUpdate: number;
  created: number;
  updated: number;
  errors: RowError[];
}

interface Planned {
  tenant: Tenant;
  creates: ImportUserWrite[];
  updates: {
    id: string;
    row: ImportRow;
    companyIds: string[];
    customFields: Record<string, unknown>;
    /** Mark the row's address verified (a trusted importer vouches for a not yet verified one). */
    attest: boolean;
    /** The address before the import: told when the import moves it (issue 14 #7). */
    before: string | null;
  }[];
  errors: RowError[];
}

/** Reports list at most this many errors; the count in `rows` stays exact. */
const MAX_REPORTED_ERRORS = 1000;
const ANALYZE_AFTER = 5000;

/**
 * Checks every row exactly as the API would: shape, duplicates in the file, existing users by
 * mode, companies by name, custom fields by definition, and the grant rules for the roles.
 * Reads only; writes nothing.
 */
async function plan(
  deps: ImportDeps,
  repos: Repos & { imports: ImportRepo },
  ctx: Ctx | null,
  tenantId: string,
  records: Record<string, unknown>[],
  mode: ImportMode,
  format: 'csv' | 'json',
): Promise<Planned> {
  const tenant = await repos.tenants.findById(tenantId);
  if (!tenant) throw notFound('tenant');
  const root = await repos.tenants.findRoot();
  const defs = await repos.fields.list(tenant.id);
  const companies = new Map((await repos.companies.list(tenant.id)).map((c) => [c.name.toLowerCase(), c.id]));
  const roles = await loadRoleMap(repos);
  const mayAttest = mayVouchForAddresses(ctx);
  const errors: RowError[] = [];
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  /** Per line, the fields that could not be read: checks that build on them are skipped. */
  const unread = new Map<number, Set<string>>();
  records.forEach((record, i) => {
    const line = i + 2; // line 1 is the CSV header; JSON rows count the same way for one rule
    const parsed = parseImportRecord(record, line, defs, { csv: format === 'csv' });
    errors.push(...parsed.errors);
    if (parsed.errors.length > 0) unread.set(line, new Set(parsed.errors.map((e) => e.field)));
    if (unread.get(line)?.has('loginName')) return;
    const key = parsed.row.loginName.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        line,
        field: 'loginName',
        code: 'import.duplicate_login',
        message: `Same login name as line ${first}`,
      });
      return;
    }
    seen.set(key, line);
    rows.push(parsed.row);
  });
  const existing = await repos.imports.existing(tenant.id, [...seen.keys()]);
  const creates: ImportUserWrite[] = [];
  const updates: Planned['updates'] = [];
  let primaries = (await repos.users.findPrimary(tenant.id)) ? 1 : 0;
  for (const row of rows) {
    const fail = (field: string, code: string, message: string) =>
      errors.push({ line: row.line, field, code, message });
    const bad = unread.get(row.line) ?? new Set<string>();
    const errorsBefore = errors.length;
    const found = existing.get(row.loginName.toLowerCase());
    if (found && mode === 'create') {
      fail('loginName', 'user.login_taken', 'The login name exists in this tenant (use mode upsert)');
      continue;
    }
    if (found && !bad.has('type') && found.type !== row.type) {
      fail('type', 'import.type_change', `The user is ${found.type}; an import does not change the type`);
      continue;
    }
    if (!found && !bad.has('type') && row.type === 'primary') {
      if (ctx) {
        fail('type', 'grant.not_own_user', 'The primary user is created by the supplier’s sales function');
        continue;
      }
      if (++primaries > 1) {
        fail('type', 'user.primary_exists', 'The tenant has a primary user already');
        continue;
      }
    }
    const companyIds: string[] = [];
    for (const name of row.companies) {
      const id = companies.get(name.toLowerCase());
      if (id) companyIds.push(id);
      else fail('companies', 'company.unknown', `No company named ${name.slice(0, 100)}`);
    }
    let customFields: Record<string, unknown> = {};
    try {
      customFields = validateFieldValues(defs, row.customFields);
    } catch (e) {
      if (!isAppError(e)) throw e;
      for (const fe of e.errors ?? []) fail(fe.field, fe.code, fe.message);
    }
    const current = found ? await repos.roles.userRoles(tenant.id, found.id) : [];
    if (found && ctx && found.id !== ctx.actor.userId) {
      // The rank rule: an upsert overwrites the address, the state and maybe the password.
      const rank = evaluateRank(ctx.actor.roleKeys, current, roles);
      if (!rank.allowed) fail('loginName', rank.reason, rank.message);
    }
    if (found?.hasPassword && row.passwordHash) {
      // Replacing a working password by a hash of the importer's choosing is a takeover; a
      // migration only ever brings hashes for users that have none yet.
      fail('passwordHash', 'import.password_exists', 'The user has a password; an import never replaces it');
    }
    // The grant rules depend on the user type: with an unreadable type they would only mislead.
    const refusal = bad.has('type')
      ? undefined
      : rolesRefusal(ctx, { tenant, rootId: root?.id ?? '', row, userId: found?.id, current, roles });
    if (refusal) fail('roles', refusal.code, refusal.message);
    const claim = verifiedClaim(row, found?.verifiedEmail ?? null, mayAttest);
    if (claim.refusal && !bad.has('email')) fail('emailVerified', claim.refusal.code, claim.refusal.message);
    if (bad.size > 0 || errors.length > errorsBefore) continue;
    if (found) updates.push({ id: found.id, row, companyIds, customFields, attest: claim.attest, before: found.email });
    else creates.push({ ...row, emailVerified: claim.attest, id: deps.ids.newId(), customFields, companyIds });
  }
  for (const e of errors) {
    const keys = Object.keys(records[e.line - 2] ?? {});
    // Custom field values are checked as `customFields.<key>`; in a CSV file the column is `field:<key>`.
    const key = e.field.replace(/^customFields\./, '');
    const at = keys.indexOf(e.field) + 1 || keys.indexOf(`field:${key}`) + 1 || keys.indexOf('customFields') + 1;
    if (at > 0) e.column = at;
  }
  errors.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return { tenant, creates, updates, errors };
}

/**
 * The operator (CLI) and holders of users.email.attest may vouch for addresses by import; the
 * rank rule of such an attestation is the upsert's rank check, which covers every other user.
 */
const mayVouchForAddresses = (ctx: Ctx | null) => ctx === null || ctx.actor.permissions.has(ATTEST_PERMISSION);

/** The grant rules for one row; the operator (CLI) is bound only by R3 and known roles. */
function rolesRefusal(
  ctx: Ctx | null,
  x: {
    tenant: Tenant;
    rootId: string;
    row: ImportRow;
    userId: string | undefined;
    current: string[];
    roles: Map<string, Role>;
  },
): { code: string; message: string } | undefined {
  const unknown = x.row.roles.filter((k) => !x.roles.has(k));
  if (unknown.length > 0) return { code: 'role.unknown', message: `Unknown role(s): ${unknown.join(', ')}` };
  const { current } = x;
  if (!ctx) {
    const op = x.row.roles.find((k) => isOperationRole(x.roles.get(k)) && !current.includes(k));
    return op && x.tenant.id !== x.rootId
      ? { code: 'grant.operation_role_outside_provider', message: `${op} is only for users of the provider` }
      : undefined;
  }
  const d = evaluateGrant({
    actor: ctx.actor,
    target: {
      userId: x.userId ?? 'new',
      type: x.row.type,
      homeTenantId: x.tenant.id,
      homeTenantKind: x.tenant.kind,
      homeParentId: x.tenant.parentId,
      sharedIntoActingTenant: false,
    },
    rootTenantId: x.rootId,
    current,
    next: x.row.roles,
    roles: x.roles,
  });
  return d.allowed ? undefined : { code: d.reason, message: d.message };
}

export interface ImportInput {
  tenantId: string;
  records: Record<string, unknown>[];
  /** CSV cells are checked for spreadsheet formulas; JSON values are taken as they are. */
  format: 'csv' | 'json';
  mode: ImportMode;
  dryRun: boolean;
  /** Called after each written chunk with the number of rows done. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Imports users: a dry run reports every row and writes nothing; an apply with any error
 * writes nothing either; otherwise all rows land in one transaction (all or none), with one
 * audit event. Idempotent by login name: `upsert` updates what exists, `create` refuses it.
 */
export async function importUsers(deps: ImportDeps, ctx: Ctx | null, input: ImportInput): Promise<ImportReport> {
  if (ctx) {
    if (input.tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
    requirePermission(ctx.actor, 'users.import', deps.catalogue);
  }
  if (input.records.length > IMPORT_LIMITS.maxRows) {
    throw new AppError('validation.invalid', `At most ${IMPORT_LIMITS.maxRows} rows per import`);
  }
  const report = (p: Planned, created = 0, updated = 0): ImportReport => ({
    dryRun: input.dryRun,
    mode: input.mode,
    rows: input.records.length,
    toCreate: p.creates.length,
    toUpdate: p.updates.length,
    created,
    updated,
    errors: p.errors.slice(0, MAX_REPORTED_ERRORS),
  });
  if (input.dryRun)
    return report(
      await deps.importStore.read((r) => plan(deps, r, ctx, input.tenantId, input.records, input.mode, input.format)),
    );
  const result = await deps.importStore.transaction(async (repos) => {
    // Planned inside the transaction: what was checked is what gets written.
    const p = await plan(deps, repos, ctx, input.tenantId, input.records, input.mode, input.format);
    if (p.errors.length > 0) return report(p);
    const now = deps.clock.now();
    const total = p.creates.length + p.updates.length;
    let done = 0;
    for (let i = 0; i < p.creates.length; i += 1000) {
      const part = p.creates.slice(i, i + 1000);
      await repos.imports.insertUsers(p.tenant.id, part, ctx?.actor.userId ?? null, now);
      done += part.length;
      input.onProgress?.(done, total);
    }
    for (const u of p.updates) {
      const { row } = u;
      await repos.users.update(
        p.tenant.id,
        u.id,
        { email: row.email, displayName: row.displayName, state: row.state, customFields: u.customFields },
        now,
      );
      if (row.passwordHash) await repos.users.setPassword(p.tenant.id, u.id, row.passwordHash, false, now);
      // As for an administrator's change: the old address hears of it, a takeover is not silent.
      if (u.before && u.before.toLowerCase() !== (row.email ?? '').toLowerCase() && u.id !== ctx?.actor.userId) {
        await queueMail(repos, now, changedBySomeoneElse(u.before, 'e-mail address'));
      }
      // After the update: a changed address has lost its old mark there, and the new one is marked.
      if (u.attest && row.email) await repos.users.markEmailVerified(p.tenant.id, u.id, row.email, now);
      await repos.roles.setUserRoles(p.tenant.id, u.id, row.roles, ctx?.actor.userId ?? null, now);
      await repos.users.setCompanies(p.tenant.id, u.id, u.companyIds);
      // Each overwritten user is named in the log: the summary event alone named nobody.
      await audit(repos, ctx, now, {
        tenantId: p.tenant.id,
        action: 'user.updated',
        targetType: 'user',
        targetId: u.id,
        details: {
          via: 'import',
          fields: ['email', 'displayName', 'state', 'customFields', 'roles', 'companies'],
          ...(row.passwordHash ? { passwordHashImported: true } : {}),
          ...(u.attest ? { emailAttested: true } : {}),
        },
      });
      done++;
      if (done % 1000 === 0) input.onProgress?.(done, total);
    }
    input.onProgress?.(total, total);
    await audit(repos, ctx, now, {
      tenantId: p.tenant.id,
      action: 'users.imported',
      targetType: 'tenant',
      targetId: p.tenant.id,
      details: {
        mode: input.mode,
        rows: input.records.length,
        created: p.creates.length,
        updated: p.updates.length,
        hashesImported: [...p.creates.map((c) => c.passwordHash), ...p.updates.map((x) => x.row.passwordHash)].filter(
          Boolean,
        ).length,
        emailsAttested: p.creates.filter((c) => c.emailVerified).length + p.updates.filter((x) => x.attest).length,
      },
    });
    return report(p, p.creates.length, p.updates.length);
  });
  // Autovacuum would notice a bulk insert only later; until then the planner may scan tables.
  if (result.created + result.updated >= ANALYZE_AFTER) {
    await deps.importStore.read((r) => r.imports.refreshStatistics());
  }
  return result;
}
