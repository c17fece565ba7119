import { AppError, notFound } from '../../domain/errors.js';
import { checkPassword } from '../../domain/password-policy.js';
import { childPath, isSupplier, isValidSlug, type Tenant } from '../../domain/tenant.js';
import { isValidEmail, isValidLoginName } from '../../domain/user.js';
import { Checker } from '../../domain/validation.js';
import { assertNoErrors, loadRoleMap, type RequestMeta } from '../context.js';
import { insertUserWithRoles } from '../create-user.js';
import { queueMail } from '../mail-outbox.js';
import { minPasswordLength } from '../security-policy.js';
import { type AuthDeps, authAudit, seconds } from './auth-deps.js';

export interface SignupInput {
  supplier: string;
  tenantName: string;
  tenantSlug: string;
  loginName: string;
  email: string;
  password: string;
  displayName?: string | undefined;
}

function check(input: SignupInput): void {
  const c = new Checker();
  c.string('tenantName', input.tenantName, { max: 200 });
  if (!isValidSlug(input.tenantSlug)) c.fail('tenantSlug', 'format', 'Lower-case letters, digits and -');
  if (!isValidLoginName(input.loginName)) c.fail('loginName', 'format', 'Letters, digits and . _ @ + -');
  if (!isValidEmail(input.email)) c.fail('email', 'format', 'Not an email address');
  assertNoErrors(c.errors);
}

/**
 * Self-registration (seed 001) below a supplier that enabled it: a pending consumer tenant and
 * its primary user with the supplier's sign-up roles, filtered to business roles (never an
 * administration or operation role from this anonymous path). The tenant becomes active when
 * the confirmation link is redeemed. Counted per address before any work.
 */
export async function signup(deps: AuthDeps, input: SignupInput, meta: RequestMeta): Promise<{ status: 'pending' }> {
  const { settings } = deps;
  const attempts = await deps.authStore.read((r) =>
    r.throttle.hit(`signup:${meta.ip ?? 'unknown'}`, deps.clock.now(), settings.signup.windowSeconds),
  );
  if (attempts > settings.signup.maxPerAddress)
    throw new AppError('auth.throttled', 'Too many sign-ups from this address; try again later');
  check(input);
  const supplier = await deps.authStore.read((r) => r.tenants.findBySlug(input.supplier));
  if (
    !supplier ||
    !isSupplier(supplier.kind) ||
    supplier.status !== 'active' ||
    supplier.settings.selfRegistration !== true
  ) {
    throw notFound('supplier');
  }
  const clean = checkPassword(input.password, {
    tenantName: input.tenantName,
    tenantSlug: input.tenantSlug,
    loginName: input.loginName,
    minLength: await deps.authStore.read((r) => minPasswordLength(r, supplier.id)),
  });
  const passwordHash = await deps.hasher.hash(clean);
  const secret = deps.tokens.randomToken();
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const parent = await r.tenants.findById(supplier.id);
    if (!parent) throw notFound('supplier');
    const id = deps.ids.newId();
    const tenant: Tenant = {
      id,
      kind: 'consumer',
      parentId: parent.id,
      path: childPath(parent.path, id),
      depth: parent.depth + 1,
      name: input.tenantName.trim(),
      slug: input.tenantSlug,
      status: 'pending',
      settings: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await r.tenants.insert(tenant);
    const roleMap = await loadRoleMap(r);
    const roles = (parent.settings.signupRoles ?? []).filter((k) => roleMap.get(k)?.category === 'business');
    const { user } = await insertUserWithRoles(r, deps, null, tenant, {
      loginName: input.loginName,
      email: input.email,
      displayName: input.displayName,
      type: 'primary',
      password: undefined,
      roles,
      companyIds: [],
      customFields: {},
      passwordHash,
      mustChangePassword: false,
    });
    await r.oneTimeTokens.insert({
      tokenHash: deps.tokens.hash(secret),
      purpose: 'signup_confirm',
      userId: user.id,
      tenantId: id,
      expiresAt: seconds(now, settings.signupLinkSeconds),
      createdAt: now,
    });
    const link = `${settings.publicUrl}/signup/confirm#token=${secret}`;
    await queueMail(r, now, {
      to: input.email,
      subject: 'Confirm your Kontor sign-up',
      text: `Confirm your sign-up: ${link}`,
      link,
    });
    for (const tenantId of [parent.id, id]) {
      await authAudit(r, meta, now, {
        tenantId,
        action: 'tenant.signed_up',
        targetType: 'tenant',
        targetId: id,
        details: { slug: tenant.slug, roles },
      });
    }
  });
  await deps.mailer?.flush();
  return { status: 'pending' };
}

/** Redeems the single-use confirmation link: the pending tenant becomes active. */
export async function confirmSignup(
  deps: AuthDeps,
  input: { token: string },
  meta: RequestMeta,
): Promise<{ tenantId: string; slug: string; status: 'active' }> {
  return deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const t = await r.oneTimeTokens.consume(deps.tokens.hash(input.token), 'signup_confirm', now);
    if (!t) throw new AppError('auth.token_invalid');
    const tenant = await r.tenants.findById(t.tenantId);
    if (!tenant) throw new AppError('auth.token_invalid');
    if (tenant.status === 'pending') await r.tenants.update(tenant.id, { status: 'active' });
    // The link went to the sign-up address: redeeming it proves the user controls it.
    const user = await r.users.findInTenant(tenant.id, t.userId);
    if (user?.email) await r.users.markEmailVerified(tenant.id, user.id, user.email, now);
    await authAudit(r, meta, now, {
      tenantId: tenant.id,
      action: 'tenant.activated',
      targetType: 'tenant',
      targetId: tenant.id,
      actor: { userId: t.userId, actingTenantId: tenant.id },
      details: { via: 'signup_confirm' },
    });
    return { tenantId: tenant.id, slug: tenant.slug, status: 'active' as const };
  });
}
