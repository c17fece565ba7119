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
 * account or no attempt is left), so unknown accounts cost the same time as wrong passwords.
 * Failures count per address and per account in the database; the account locks at the
 * configured limit.
 *
 * Every attempt takes a slot in the address and account counters *before* the password is
 * verified, in one SQL statement each: concurrent attempts on any number of instances can never
 * get more password checks between them than the limits (a count-then-verify-then-record
 * sequence let a burst of 200 parallel guesses all through). A sign-in that succeeds gives its
 * slots back.
 */
export async function login(deps: AuthDeps, input: LoginInput, meta: RequestMeta): Promise<LoginResult> {
  const { settings } = deps;
  const window = settings.login.windowSeconds;
  const addrSlot = await deps.authStore.read((r) =>
    r.throttle.take(addrKey(meta), deps.clock.now(), window, settings.login.maxFailuresPerAddress),
  );
  if (addrSlot === undefined) {
    throw new AppError('auth.throttled', 'Too many failed sign-ins from this address; try again later');
  }
  // Slots taken but not yet settled as a failure or given back. An attempt that ends without a
  // verdict (a 503, a suspended tenant) must not count, or an outage would lock accounts out.
  const held = { addr: addrKey(meta) as string | undefined, acct: undefined as string | undefined };
  try {
    return await attempt(deps, input, meta, held);
  } catch (e) {
    // Whatever ended the attempt without a recorded failure (an outage, a suspended tenant)
    // is no guess at the password: its slots go back, best effort.
    for (const key of [held.addr, held.acct]) {
      if (key) await deps.authStore.read((r) => r.throttle.giveBack(key)).catch(() => undefined);
    }
    throw e;
  }
}

async function attempt(
  deps: AuthDeps,
  input: LoginInput,
  meta: RequestMeta,
  held: { addr: string | undefined; acct: string | undefined },
): Promise<LoginResult> {
  const { settings } = deps;
  const window = settings.login.windowSeconds;
  const found = await deps.authStore.read(async (r) => {
    const tenant = await r.tenants.findBySlug(input.tenant);
    const known = tenant ? await r.users.findByLogin(tenant.id, input.username) : undefined;
    if (!tenant || !known) return { tenant, user: known, hash: undefined, acctSlot: undefined };
    const acctSlot = await r.throttle.take(
      acctKey(known.id),
      deps.clock.now(),
      window,
      settings.login.maxFailuresPerAccount,
    );
    if (acctSlot !== undefined) held.acct = acctKey(known.id);
    // Read after the slot: a lock committed with the counter's reset is seen here.
    const user = await r.users.findInTenant(tenant.id, known.id);
    const hash = user ? await r.users.passwordHash(tenant.id, user.id) : undefined;
    return { tenant, user, hash: hash ?? undefined, acctSlot };
  });
  const { tenant, user, acctSlot } = found;
  // No slot left: the limit's worth of guesses is already being checked; this one is not.
  const checkable = found.hash !== undefined && acctSlot !== undefined;
  const verified = await deps.hasher.verify(
    checkable ? (found.hash as string) : await deps.hasher.dummyHash(),
    input.password,
  );
  if (!tenant || !user || !checkable || !verified || user.state !== 'active') {
    const reason = !tenant
      ? 'unknown_tenant'
      : !user
        ? 'unknown_user'
        : user.state !== 'active'
          ? `user_${user.state}`
          : !found.hash
            ? 'wrong_password'
            : acctSlot === undefined
              ? 'too_many_failures'
              : 'wrong_password';
    await recordFailure(deps, meta, { tenant, user, acctSlot: found.hash ? acctSlot : undefined, reason });
    held.addr = held.acct = undefined; // settled: counted as failures
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
  // A success gives its address slot back and clears the account's count in the transaction
  // that opens the session: one commit fewer per sign-in than separate statements.
  return deps.authStore.transaction(async (r) => {
    await r.throttle.giveBack(addrKey(meta));
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
  f: { tenant: Tenant | undefined; user: User | undefined; acctSlot: number | undefined; reason: string },
): Promise<void> {
  const { settings } = deps;
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    if (!f.tenant) return; // no tenant, no tenant log to write to; the address counter still counts
    // Guesses at an account that is not active do not count towards its limit: after an unlock,
    // the user starts afresh.
    let failures = f.acctSlot;
    if (f.user && failures !== undefined && f.user.state !== 'active') {
      await r.throttle.giveBack(acctKey(f.user.id));
      failures = undefined;
    }
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
    // Committed with the lock: an attempt that takes a slot from here on reads the account locked.
    await r.throttle.reset(acctKey(f.user.id));
    await authAudit(r, meta, now, {
      tenantId: f.tenant.id,
      action: 'user.state.locked',
      targetType: 'user',
      targetId: f.user.id,
      details: { from: 'active', to: 'locked', reason: 'too_many_failed_sign_ins', failures },
    });
  });
}
