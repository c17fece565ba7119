import { validateFieldValues } from '../domain/custom-fields.js';
import { AppError, notFound } from '../domain/errors.js';
import { evaluateGrant, type Warning } from '../domain/grant-rules.js';
import { checkPassword } from '../domain/password-policy.js';
import type { Repos } from '../domain/ports.js';
import type { Tenant } from '../domain/tenant.js';
import { isValidEmail, isValidLoginName, type User, type UserType } from '../domain/user.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, loadRoleMap, requirePermission } from './context.js';
import { queueEmailVerification } from './email-verification.js';
import { grantTargetFor } from './grant-target.js';
import { minPasswordLength } from './security-policy.js';

export interface CreateUserInput {
  tenantId: string;
  loginName: unknown;
  email?: unknown;
  displayName?: unknown;
  type?: unknown;
  password?: unknown;
  roles?: unknown;
  customFields?: unknown;
  companyIds?: unknown;
}

export interface CreatedUser {
  user: User;
  roles: string[];
  warnings: Warning[];
}

export function parseUserFields(input: Omit<CreateUserInput, 'tenantId'>) {
  const c = new Checker();
  const loginName = c.string('loginName', input.loginName, { max: 254 });
  if (loginName !== undefined && !isValidLoginName(loginName))
    c.fail('loginName', 'format', 'Letters, digits and . _ @ + -');
  const email = input.email === null ? null : c.string('email', input.email, { max: 254, optional: true });
  if (typeof email === 'string' && !isValidEmail(email)) c.fail('email', 'format', 'Not an email address');
  const displayName = c.string('displayName', input.displayName, { max: 200, optional: true });
  const type = c.oneOf<UserType>('type', input.type, ['primary', 'secondary'], true);
  const password = c.string('password', input.password, { max: 1024, optional: true });
  const roles = c.stringArray('roles', input.roles) ?? [];
  const companyIds = c.stringArray('companyIds', input.companyIds) ?? [];
  let customFields: Record<string, unknown> = {};
  if (input.customFields !== undefined) {
    if (typeof input.customFields !== 'object' || input.customFields === null || Array.isArray(input.customFields)) {
      c.fail('customFields', 'type', 'Must be an object');
    } else {
      customFields = { ...(input.customFields as Record<string, unknown>) };
    }
  }
  assertNoErrors(c.errors);
  return {
    loginName: loginName as string,
    email: email ?? null,
    displayName,
    type,
    password,
    roles,
    companyIds,
    customFields,
  };
}

/** Who may create a user in `tenant`: own secondary users, or the primary of a direct child (R5). */
export function creationRight(ctx: Ctx, tenant: Tenant, type: UserType, deps: AppDeps): void {
  const { actor } = ctx;
  if (tenant.id === actor.actingTenantId) {
    requirePermission(actor, 'users.create', deps.catalogue);
    if (type === 'primary') {
      throw new AppError('grant.not_own_user', 'The primary user is created by the supplier’s sales function');
    }
    return;
  }
  if (tenant.parentId !== actor.actingTenantId) throw notFound('tenant');
  requirePermission(actor, 'customers.primary.manage', deps.catalogue);
  if (type !== 'primary') {
    throw new AppError('grant.not_own_user', 'Secondary users are created by the tenant itself');
  }
}

/** Inserts a user with roles inside the caller's transaction; grant rules decide the roles. */
export async function insertUserWithRoles(
  repos: Repos,
  deps: AppDeps,
  ctx: Ctx | null,
  tenant: Tenant,
  f: ReturnType<typeof parseUserFields> & { type: UserType; passwordHash: string | null; mustChangePassword: boolean },
): Promise<CreatedUser> {
  const now = deps.clock.now();
  const defs = await repos.fields.list(tenant.id);
  const customFields = validateFieldValues(defs, f.customFields);
  for (const id of f.companyIds) {
    if (!(await repos.companies.findById(tenant.id, id))) {
      throw new AppError('validation.invalid', 'Unknown company', {
        errors: [{ field: 'companyIds', code: 'company.unknown', message: `No company ${id}` }],
      });
    }
  }
  const id = deps.ids.newId();
  let warnings: Warning[] = [];
  if (ctx && f.roles.length > 0) {
    const roles = await loadRoleMap(repos);
    const target = await grantTargetFor(
      repos,
      { id, type: f.type, tenantId: tenant.id },
      ctx.actor.actingTenantId,
      now,
    );
    const root = await repos.tenants.findRoot();
    const d = evaluateGrant({
      actor: ctx.actor,
      target,
      rootTenantId: root?.id ?? '',
      current: [],
      next: f.roles,
      roles,
    });
    if (!d.allowed) throw new AppError(d.reason, d.message);
    warnings = d.warnings;
  }
  const user = await repos.users.insert({
    id,
    tenantId: tenant.id,
    loginName: f.loginName,
    email: f.email,
    displayName: f.displayName ?? f.loginName,
    type: f.type,
    state: 'active',
    passwordHash: f.passwordHash,
    mustChangePassword: f.mustChangePassword,
    customFields,
    now,
  });
  if (f.companyIds.length > 0) await repos.users.setCompanies(tenant.id, id, f.companyIds);
  if (f.roles.length > 0) await repos.roles.setUserRoles(tenant.id, id, f.roles, ctx?.actor.userId ?? null, now);
  await audit(repos, ctx, now, {
    tenantId: tenant.id,
    action: 'user.created',
    targetType: 'user',
    targetId: id,
    details: { loginName: f.loginName, type: f.type, roles: f.roles, warnings: warnings.map((w) => w.code) },
  });
  return { user: { ...user, companyIds: f.companyIds }, roles: [...f.roles].sort(), warnings };
}

export async function createUser(deps: AppDeps, ctx: Ctx, input: CreateUserInput): Promise<CreatedUser> {
  const f = parseUserFields(input);
  const type: UserType = f.type ?? 'secondary';
  const tenant = await deps.store.read((r) => r.tenants.findById(input.tenantId));
  if (!tenant) throw notFound('tenant');
  creationRight(ctx, tenant, type, deps);
  // Hash outside the transaction: argon2 takes tens of milliseconds and holds no lock.
  const passwordHash =
    f.password === undefined
      ? null
      : await deps.hasher.hash(
          checkPassword(f.password, {
            tenantName: tenant.name,
            tenantSlug: tenant.slug,
            loginName: f.loginName,
            minLength: await deps.store.read((r) => minPasswordLength(r, tenant.id)),
          }),
        );
  return deps.store.transaction(async (repos) => {
    const fresh = await repos.tenants.findById(tenant.id);
    if (!fresh) throw notFound('tenant');
    // Whoever sets a password for someone else knows it: the user must change it at first sign-in.
    const created = await insertUserWithRoles(repos, deps, ctx, fresh, {
      ...f,
      type,
      passwordHash,
      mustChangePassword: passwordHash !== null,
    });
    // An address an administrator typed is not verified until its owner follows the link.
    await queueEmailVerification(repos, deps.clock.now(), created.user);
    return created;
  });
}
