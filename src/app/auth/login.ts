import { AppError } from '../../domain/errors.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import type { RequestMeta } from '../context.js';
import { type AuthDeps, authAudit } from './auth-deps.js';
import { openSession } from './sessions.js';

export interface LoginInput {
  tenant: string;
  username: string;
  password: string;
  /** The session cookie the client sent, if any: revoked, because the id rotates at sign-in. */
  previousSessionId?: string | undefined;
}

export interface LoginResult {
  sessionId: string;
  csrfToken: string;
  user: User;
  tenant: Tenant;
  expiresAt: Date;
}

const addrKey = (meta: RequestMeta) => `addr:${meta.ip ?? 'unknown'}`;
const acctKey = (userId: string) => `acct:${userId}`;

// One answer for every failure: unknown tenant, unknown user, wrong password, locked or disabled.
const failed = () => new AppError('auth.invalid_credentials', 'Tenant, username or password is wrong');

/**
 * Local sign-in. Always exactly one argon2 verification (against a dummy hash when there is no
 * account), so unknown accounts cost the same time as wrong passwords. Failures count per
 * address and per account in the database; the account locks at the configured limit.
 */
export async function login(deps: AuthDeps, input: LoginInput, meta: RequestMeta): Promise<LoginResult> {
  const { settings } = deps;
  const window = settings.login.windowSeconds;
  const start = deps.clock.now();
  const perAddress = await deps.authStore.read((r) => r.throttle.count(addrKey(meta), start, window));
  if (perAddress >= settings.login.maxFailuresPerAddress) {
    throw new AppError('auth.throttled', 'Too many failed sign-ins from this address; try again later');
  }
  const found = await deps.authStore.read(async (r) => {
    const tenant = await r.tenants.findBySlug(input.tenant);
    const user = tenant ? await r.users.findByLogin(tenant.id, input.username) : undefined;
    const hash = tenant && user ? await r.users.passwordHash(tenant.id, user.id) : undefined;
    return { tenant, user, hash: hash ?? undefined };
  });
  const verified = await deps.hasher.verify(found.hash ?? (await deps.hasher.dummyHash()), input.password);
  const { tenant, user } = found;
  if (!tenant || !user || !found.hash || !verified || user.state !== 'active') {
    const reason = !tenant
      ? 'unknown_tenant'
      : !user
        ? 'unknown_user'
        : user.state !== 'active'
          ? `user_${user.state}`
          : 'wrong_password';
    await recordFailure(deps, meta, { tenant, user, passwordWrong: !verified || !found.hash, reason });
    throw failed();
  }
  if (tenant.status !== 'active') {
    await deps.authStore.transaction((r) =>
      authAudit(r, meta, deps.clock.now(), {
        tenantId: tenant.id,
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user.id,
        details: { reason: `tenant_${tenant.status}` },
      }),
    );
    if (tenant.status === 'suspended') throw new AppError('tenant.suspended');
    throw new AppError('auth.forbidden', 'The tenant is not confirmed yet');
  }
  return deps.authStore.transaction(async (r) => {
    await r.throttle.reset(acctKey(user.id));
    const opened = await openSession(r, deps, meta, {
      user,
      tenant,
      previousSessionId: input.previousSessionId,
      details: { method: 'password' },
    });
    return { ...opened, user, tenant };
  });
}

async function recordFailure(
  deps: AuthDeps,
  meta: RequestMeta,
  f: { tenant: Tenant | undefined; user: User | undefined; passwordWrong: boolean; reason: string },
): Promise<void> {
  const { settings } = deps;
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    await r.throttle.hit(addrKey(meta), now, settings.login.windowSeconds);
    if (!f.tenant) return; // no tenant, no tenant log to write to; the address counter still counts
    let failures: number | undefined;
    if (f.user && f.passwordWrong)
      failures = await r.throttle.hit(acctKey(f.user.id), now, settings.login.windowSeconds);
    await authAudit(r, meta, now, {
      tenantId: f.tenant.id,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: f.user?.id ?? null,
      details: { reason: f.reason, ...(failures !== undefined ? { failures } : {}) },
    });
    if (!f.user || failures === undefined || failures < settings.login.maxFailuresPerAccount) return;
    // Re-read inside the transaction: only an active account is locked, and audited once.
    const fresh = await r.users.findInTenant(f.tenant.id, f.user.id);
    if (fresh?.state !== 'active') return;
    await r.users.update(f.tenant.id, f.user.id, { state: 'locked' }, now);
    await r.sessions.revokeAllForUser(f.user.id, now);
    await authAudit(r, meta, now, {
      tenantId: f.tenant.id,
      action: 'user.state.locked',
      targetType: 'user',
      targetId: f.user.id,
      details: { from: 'active', to: 'locked', reason: 'too_many_failed_sign_ins', failures },
    });
  });
}
