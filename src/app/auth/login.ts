import { AppError } from '../../domain/errors.js';
import type { FactorKind } from '../../domain/security-policy.js';
import { mfaRequired } from '../../domain/security-policy.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import type { RequestMeta } from '../context.js';
import { resolveActor } from '../context.js';
import { policyOf } from '../security-policy.js';
import { acctKey, lockedUntil, lockKey, startTemporaryLock } from './account-throttle.js';
import { type AuthDeps, authAudit, seconds } from './auth-deps.js';
import { openSession } from './sessions.js';

export {
  clearTemporaryLock,
  TEMP_LOCK_BASE_SECONDS,
  TEMP_LOCK_MAX_SECONDS,
  tempLockSeconds,
} from './account-throttle.js';

export interface LoginInput {
  tenant: string;
  username: string;
  password: string;
  /** The session cookie the client sent, if any: revoked, because the id rotates at sign-in. */
  previousSessionId?: string | undefined;
}

export interface LoginResult {
  kind: 'session';
  sessionId: string;
  csrfToken: string;
  user: User;
  tenant: Tenant;
  expiresAt: Date;
  /** The policy requires a second factor the user has not enrolled: the session opens enrolment only. */
  mfaEnrolmentRequired: boolean;
}

/** The password was right and the user has a second factor: the sign-in is not done yet. */
export interface SecondFactorStep {
  kind: 'second_factor';
  /** Short-lived and single use; proves the password step, opens nothing else. */
  pendingToken: string;
  factors: FactorKind[];
  expiresAt: Date;
}

const addrKey = (meta: RequestMeta) => `addr:${meta.ip ?? 'unknown'}`;

// One answer for every failure: unknown tenant, unknown user, wrong password, locked or disabled.
const failed = () => new AppError('auth.invalid_credentials', 'Tenant, login name or password is wrong');

/**
 * Local sign-in. Always exactly one argon2 verification (against a dummy hash when there is no
 * account or no attempt is left), so unknown accounts cost the same time as wrong passwords.
 * Failures count per address and per account in the database; at the configured limit the
 * account locks temporarily (see TEMP_LOCK_BASE_SECONDS).
 *
 * Every attempt takes a slot in the address and account counters *before* the password is
 * verified, in one SQL statement each: concurrent attempts on any number of instances can never
 * get more password checks between them than the limits (a count-then-verify-then-record
 * sequence let a burst of 200 parallel guesses all through). A sign-in that succeeds gives its
 * slots back.
 */
export async function login(
  deps: AuthDeps,
  input: LoginInput,
  meta: RequestMeta,
): Promise<LoginResult | SecondFactorStep> {
  const { settings } = deps;
  const window = settings.login.windowSeconds;
  const addrSlot = await deps.authStore.read((r) =>
    r.throttle.take(addrKey(meta), deps.clock.now(), window, settings.login.maxFailuresPerAddress),
  );
  if (addrSlot === undefined) {
    deps.metrics?.signIn('throttled');
    throw new AppError('auth.throttled', 'Too many failed sign-ins from this address; try again later');
  }
  // Slots taken but not yet settled as a failure or given back. An attempt that ends without a
  // verdict (a 503, a suspended tenant) must not count, or an outage would lock accounts out.
  const held = { addr: addrKey(meta) as string | undefined, acct: undefined as string | undefined };
  try {
    await refuseWhereSsoOnly(deps, input.tenant, meta);
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
): Promise<LoginResult | SecondFactorStep> {
  const { settings } = deps;
  const window = settings.login.windowSeconds;
  const found = await deps.authStore.read(async (r) => {
    const tenant = await r.tenants.findBySlug(input.tenant);
    const known = tenant ? await r.users.findByLogin(tenant.id, input.username) : undefined;
    if (!tenant || !known) return { tenant, user: known, hash: undefined, acctSlot: undefined, tempLocked: false };
    const acctSlot = await r.throttle.take(
      acctKey(known.id),
      deps.clock.now(),
      window,
      settings.login.maxFailuresPerAccount,
    );
    // The lock is read after the slot: the lock commits together with the counter's reset, so a
    // guess that got a fresh slot from that reset sees the lock here (no second round of guesses
    // slips in while instances race). Temporarily locked: no password is checked, the answer is
    // the same as for a wrong one (no oracle), and the slot goes back, so the lock does not grow
    // from inside it.
    const until = lockedUntil(await r.throttle.peek(lockKey(known.id)));
    if (until && until > deps.clock.now()) {
      if (acctSlot !== undefined) await r.throttle.giveBack(acctKey(known.id));
      return { tenant, user: known, hash: undefined, acctSlot: undefined, tempLocked: true };
    }
    if (acctSlot !== undefined) held.acct = acctKey(known.id);
    // Read after the slot: a lock committed with the counter's reset is seen here.
    const user = await r.users.findInTenant(tenant.id, known.id);
    const hash = user ? await r.users.passwordHash(tenant.id, user.id) : undefined;
    return { tenant, user, hash: hash ?? undefined, acctSlot, tempLocked: false };
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
      : found.tempLocked
        ? 'temporarily_locked'
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
    // A lock or a spent account limit refused the attempt before its password counted.
    deps.metrics?.signIn(reason === 'temporarily_locked' || reason === 'too_many_failures' ? 'throttled' : 'failed');
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
    deps.metrics?.signIn('failed');
    if (tenant.status === 'suspended') throw new AppError('tenant.suspended');
    throw new AppError('auth.forbidden', 'The tenant is not confirmed yet');
  }
  const gate = await passwordGate(deps, tenant, user);
  if (gate.factors.length > 0) {
    const step = await startSecondFactor(deps, meta, tenant, user, gate.factors);
    held.addr = held.acct = undefined; // settled: the password's slots went back
    return step;
  }
  // A success gives its address slot back and clears the account's count in the transaction
  // that opens the session: one commit fewer per sign-in than separate statements.
  const result = await deps.authStore.transaction(async (r) => {
    await r.throttle.giveBack(addrKey(meta));
    await r.throttle.reset(acctKey(user.id));
    await r.throttle.reset(lockKey(user.id));
    const opened = await openSession(r, deps, meta, {
      user,
      tenant,
      previousSessionId: input.previousSessionId,
      details: { method: 'password', ...(gate.enrolmentRequired ? { mfaEnrolmentRequired: true } : {}) },
    });
    return { kind: 'session' as const, ...opened, user, tenant, mfaEnrolmentRequired: gate.enrolmentRequired };
  });
  deps.metrics?.signIn('succeeded');
  return result;
}

/**
 * What the home's security policy says once the password is proven: confirmed factors ask for
 * one of them; a policy that obliges a user without one lets it in for enrolment only.
 */
async function passwordGate(
  deps: AuthDeps,
  tenant: Tenant,
  user: User,
): Promise<{ factors: FactorKind[]; enrolmentRequired: boolean }> {
  const now = deps.clock.now();
  const facts = await deps.authStore.read(async (r) => {
    const policy = await policyOf(r, tenant.id, deps.settings);
    const factors = (await r.mfa.listFactors(tenant.id, user.id)).filter((f) => f.confirmedAt !== null);
    const ids = { userId: user.id, homeTenantId: tenant.id, actingTenantId: tenant.id };
    const actor = await resolveActor(r, deps.catalogue, ids, now);
    return { policy, factors, isAdmin: actor.isAdmin };
  });
  const kinds = [...new Set(facts.factors.map((f) => f.kind))];
  return {
    factors: kinds,
    enrolmentRequired: kinds.length === 0 && mfaRequired({ mfa: facts.policy.mfa.value }, facts.isAdmin),
  };
}

/**
 * A tenant whose policy allows only SSO refuses password sign-in before any account is looked
 * up or any password verified: the answer is the same for every login name and every password,
 * so it tells nothing about either — only the tenant's policy, which its sign-in page shows
 * anyway. Not a guess: the address slot goes back (the caller's `held`).
 */
async function refuseWhereSsoOnly(deps: AuthDeps, slug: string, meta: RequestMeta): Promise<void> {
  const found = await deps.authStore.read(async (r) => {
    const tenant = await r.tenants.findBySlug(slug);
    return tenant ? { tenant, policy: await policyOf(r, tenant.id, deps.settings) } : undefined;
  });
  if (!found || found.policy.passwordsAllowed.value) return;
  await deps.authStore.transaction((r) =>
    authAudit(r, meta, deps.clock.now(), {
      tenantId: found.tenant.id,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: null,
      details: { reason: 'password_sign_in_disabled', policySource: found.policy.passwordsAllowed.source },
    }),
  );
  deps.metrics?.signIn('failed');
  throw new AppError('policy.password_sign_in_disabled', 'Sign in through your organisation’s SSO');
}

/** How long the second-factor step may take after the password. */
export const PENDING_LOGIN_SECONDS = 5 * 60;

/**
 * The password step of a user with a second factor: its slots go back (the password was
 * right), but the account's failure count is not reset — code guesses draw from it, and a
 * correct password must not refill them. A pending-login token, not a session, is the answer.
 */
async function startSecondFactor(
  deps: AuthDeps,
  meta: RequestMeta,
  tenant: Tenant,
  user: User,
  factors: FactorKind[],
): Promise<SecondFactorStep> {
  const pendingToken = deps.tokens.randomToken();
  const now = deps.clock.now();
  const expiresAt = seconds(now, PENDING_LOGIN_SECONDS);
  await deps.authStore.transaction(async (r) => {
    await r.throttle.giveBack(addrKey(meta));
    await r.throttle.giveBack(acctKey(user.id));
    await r.oneTimeTokens.insert({
      tokenHash: deps.tokens.hash(pendingToken),
      purpose: 'mfa_pending',
      userId: user.id,
      tenantId: tenant.id,
      expiresAt,
      createdAt: now,
    });
    await authAudit(r, meta, now, {
      tenantId: tenant.id,
      action: 'auth.second_factor_requested',
      targetType: 'user',
      targetId: user.id,
      details: { factors },
    });
  });
  return { kind: 'second_factor', pendingToken, factors, expiresAt };
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
    await startTemporaryLock(r, meta, now, {
      tenantId: f.tenant.id,
      userId: f.user.id,
      failures,
      reason: 'too_many_failed_sign_ins',
    });
  });
}
