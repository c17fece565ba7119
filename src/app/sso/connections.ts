import { AppError, notFound } from '../../domain/errors.js';
import { evaluateGrant } from '../../domain/grant-rules.js';
import { isAdminRole, isOperationRole } from '../../domain/role.js';
import {
  ALLOWED_ID_TOKEN_ALGS,
  type ClaimMapping,
  type ConnectionCheck,
  type ConnectionPatch,
  DEFAULT_CLAIM_MAPPING,
  emailLinkMappingSound,
  type LinkPolicy,
  type SsoConnection,
  type SsoRepos,
} from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import { Checker } from '../../domain/validation.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import { assertNoErrors, audit, type Ctx, invalid, loadRoleMap } from '../context.js';
import { changedTerms, voidEnablements } from './follow-source.js';
import { assertManages, connectionView, ssoOf } from './sso-deps.js';

export interface ConnectionInput {
  name?: string;
  issuer?: string;
  clientId?: string;
  /** Write-only: sealed before it is stored, never returned, logged or audited. */
  clientSecret?: string | null;
  scopes?: string[];
  idTokenAlgs?: string[];
  claimMapping?: Partial<ClaimMapping>;
  vouchedDomains?: string[];
  enabled?: boolean;
  linkPolicy?: LinkPolicy;
  jitRoles?: string[];
  offeredToSubtree?: boolean;
}

// Plain http only for a provider on this machine (development); anything else needs TLS.
const LOCAL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

function check(input: ConnectionInput): void {
  const c = new Checker();
  if (input.issuer !== undefined && !(input.issuer.startsWith('https://') || LOCAL.test(input.issuer))) {
    c.fail('issuer', 'format', 'An https URL (http only for 127.0.0.1 or localhost)');
  }
  const badAlg = input.idTokenAlgs?.find((a) => !ALLOWED_ID_TOKEN_ALGS.includes(a));
  if (badAlg) c.fail('idTokenAlgs', 'enum', `Not allowed: ${badAlg}; one of ${ALLOWED_ID_TOKEN_ALGS.join(', ')}`);
  if (input.idTokenAlgs?.length === 0) c.fail('idTokenAlgs', 'too_short', 'At least one algorithm');
  if (input.scopes && !input.scopes.includes('openid')) c.fail('scopes', 'format', 'Must include openid');
  assertNoErrors(c.errors);
}

/** JIT users get these roles without a granter at sign-in, so the admin configuring them is the granter now. */
async function checkJitRoles(r: SsoRepos, ctx: Ctx, tenant: Tenant, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  const map = await loadRoleMap(r);
  // Nobody stands behind a JIT sign-in to hold an administration role: business roles only.
  const privileged = roles.find((k) => isAdminRole(map.get(k)) || isOperationRole(map.get(k)));
  if (privileged) {
    throw invalid([{ field: 'jitRoles', code: 'privileged', message: `${privileged} cannot be given just in time` }]);
  }
  const root = await r.tenants.findRoot();
  const d = evaluateGrant({
    actor: ctx.actor,
    target: {
      userId: 'jit',
      type: 'secondary',
      homeTenantId: tenant.id,
      homeTenantKind: tenant.kind,
      homeParentId: tenant.parentId,
      sharedIntoActingTenant: false,
    },
    rootTenantId: root?.id ?? '',
    current: [],
    next: roles,
    roles: map,
  });
  if (!d.allowed) throw new AppError(d.reason, d.message);
}

function checkEmailMapping(c: Pick<SsoConnection, 'linkPolicy' | 'claimMapping'>): void {
  if (!emailLinkMappingSound(c.linkPolicy, c.claimMapping)) {
    throw new AppError(
      'sso.email_mapping_required',
      'Link policy verified-email needs claimMapping.email to be "email" (email_verified speaks of that claim only)',
    );
  }
}

const endAll = (r: SsoRepos, connectionId: string, now: Date) => r.sso.endSessionsThrough(connectionId, {}, now);

const auditDetails = (c: ConnectionInput) => {
  const { clientSecret, ...rest } = c;
  return { ...rest, ...(clientSecret !== undefined ? { clientSecretChanged: true } : {}) };
};

export async function listConnections(deps: AuthDeps, ctx: Ctx, tenantId: string) {
  assertManages(deps, ctx, tenantId);
  const list = await ssoOf(deps).store.read((r) => r.sso.listConnections(tenantId));
  return list.map((c) => connectionView(c, deps.settings.publicUrl));
}

export async function getConnection(deps: AuthDeps, ctx: Ctx, tenantId: string, id: string) {
  assertManages(deps, ctx, tenantId);
  const c = await ssoOf(deps).store.read((r) => r.sso.findConnection(tenantId, id));
  if (!c) throw notFound('connection');
  return connectionView(c, deps.settings.publicUrl);
}

export async function createConnection(
  deps: AuthDeps,
  ctx: Ctx,
  tenantId: string,
  input: ConnectionInput & { name: string; issuer: string; clientId: string },
) {
  assertManages(deps, ctx, tenantId);
  check(input);
  const sso = ssoOf(deps);
  // Before the transaction (no IdP call inside one): a refused or dead issuer is never saved;
  // a provider that answers but does not fit is saved, and the answer says what to fix.
  const checks = await sso.rp.inspect({
    issuer: input.issuer,
    clientId: input.clientId,
    idTokenAlgs: input.idTokenAlgs ?? ['RS256'],
  });
  const id = deps.ids.newId();
  const c = await sso.store.transaction(async (r) => {
    const tenant = await r.tenants.findById(tenantId);
    if (!tenant) throw notFound('tenant');
    await checkJitRoles(r, ctx, tenant, input.jitRoles ?? []);
    const now = deps.clock.now();
    const conn: SsoConnection = {
      id,
      tenantId,
      name: input.name,
      issuer: input.issuer,
      clientId: input.clientId,
      hasClientSecret: Boolean(input.clientSecret),
      scopes: input.scopes ?? ['openid', 'email', 'profile'],
      idTokenAlgs: input.idTokenAlgs ?? ['RS256'],
      claimMapping: { ...DEFAULT_CLAIM_MAPPING, ...input.claimMapping },
      vouchedDomains: (input.vouchedDomains ?? []).map((d) => d.toLowerCase()),
      enabled: input.enabled ?? true,
      linkPolicy: input.linkPolicy ?? 'manual',
      jitRoles: input.jitRoles ?? [],
      offeredToSubtree: input.offeredToSubtree ?? false,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    checkEmailMapping(conn);
    const clientSecretEnc = input.clientSecret ? sso.box.seal(input.clientSecret) : null;
    await r.sso.insertConnection({ ...conn, clientSecretEnc });
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.connection.created',
      targetType: 'sso_connection',
      targetId: id,
      details: auditDetails(input),
    });
    return conn;
  });
  return { ...connectionView(c, deps.settings.publicUrl), checks };
}

export async function updateConnection(
  deps: AuthDeps,
  ctx: Ctx,
  tenantId: string,
  id: string,
  input: ConnectionInput,
  expectedVersion?: number,
) {
  assertManages(deps, ctx, tenantId);
  check(input);
  const sso = ssoOf(deps);
  // A change of what discovery depends on is checked again before it is saved (see create).
  let checks: ConnectionCheck[] | undefined;
  if (input.issuer !== undefined || input.clientId !== undefined || input.idTokenAlgs !== undefined) {
    const current = await sso.store.read((r) => r.sso.findConnection(tenantId, id));
    if (!current) throw notFound('connection');
    checks = await sso.rp.inspect({ ...current, ...stripUndefined(input) });
  }
  const c = await sso.store.transaction(async (r) => {
    const tenant = await r.tenants.findById(tenantId);
    const current = await r.sso.findConnection(tenantId, id);
    if (!tenant || !current) throw notFound('connection');
    if (input.jitRoles) await checkJitRoles(r, ctx, tenant, input.jitRoles);
    const { clientSecret, claimMapping, vouchedDomains, ...rest } = input;
    const patch: ConnectionPatch = {
      ...rest,
      ...(claimMapping ? { claimMapping: { ...current.claimMapping, ...claimMapping } } : {}),
      ...(vouchedDomains ? { vouchedDomains: vouchedDomains.map((d) => d.toLowerCase()) } : {}),
      ...(clientSecret !== undefined ? { clientSecretEnc: clientSecret ? sso.box.seal(clientSecret) : null } : {}),
    };
    checkEmailMapping({
      linkPolicy: patch.linkPolicy ?? current.linkPolicy,
      claimMapping: patch.claimMapping ?? current.claimMapping,
    });
    const now = deps.clock.now();
    const updated = await r.sso.updateConnection(tenantId, id, patch, now, expectedVersion);
    // Access follows its source (issue 14 #5, issue 20 #3): a disabled connection ends every
    // session opened through it; new terms void the descendants' consent to the old ones.
    const sessionsEnded = patch.enabled === false && current.enabled ? await endAll(r, id, now) : 0;
    const changed = changedTerms(current, patch);
    const voided = changed.length
      ? await voidEnablements(r, ctx, now, current, {
          reason: changed.includes('offeredToSubtree') ? 'no_longer_offered' : 'terms_changed',
          changed,
        })
      : [];
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.connection.updated',
      targetType: 'sso_connection',
      targetId: id,
      details: {
        ...auditDetails(input),
        ...(sessionsEnded ? { sessionsEnded } : {}),
        ...(voided.length ? { enablementsVoided: voided } : {}),
      },
    });
    return updated;
  });
  return { ...connectionView(c, deps.settings.publicUrl), ...(checks ? { checks } : {}) };
}

const stripUndefined = (i: ConnectionInput) => ({
  ...(i.issuer !== undefined ? { issuer: i.issuer } : {}),
  ...(i.clientId !== undefined ? { clientId: i.clientId } : {}),
  ...(i.idTokenAlgs !== undefined ? { idTokenAlgs: i.idTokenAlgs } : {}),
});

/**
 * "Test connection" (issue 21 #4): the checks of a save, run on the stored connection. Nothing
 * changes, so nothing is audited; a provider Kontor may not call or cannot reach is an error.
 */
export async function testConnection(deps: AuthDeps, ctx: Ctx, tenantId: string, id: string) {
  assertManages(deps, ctx, tenantId);
  const sso = ssoOf(deps);
  const c = await sso.store.read((r) => r.sso.findConnection(tenantId, id));
  if (!c) throw notFound('connection');
  const checks = await sso.rp.inspect(c);
  return { ok: checks.every((x) => x.ok), checks };
}

export async function deleteConnection(deps: AuthDeps, ctx: Ctx, tenantId: string, id: string): Promise<void> {
  assertManages(deps, ctx, tenantId);
  await ssoOf(deps).store.transaction(async (r) => {
    const current = await r.sso.findConnection(tenantId, id);
    if (!current) throw notFound('connection');
    const now = deps.clock.now();
    // Before the delete: its cascade removes the record of which sessions came through it.
    const voided = await voidEnablements(r, ctx, now, current, { reason: 'connection_deleted' });
    const sessionsEnded = await endAll(r, id, now);
    if (!(await r.sso.deleteConnection(tenantId, id))) throw notFound('connection');
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.connection.deleted',
      targetType: 'sso_connection',
      targetId: id,
      details: { name: current.name, issuer: current.issuer, sessionsEnded, enablementsVoided: voided },
    });
  });
}
