import { AppError } from '../../domain/errors.js';
import type { Ctx } from '../context.js';
import { acctKey, lockedUntil, lockKey, startTemporaryLock } from './account-throttle.js';
import { type AuthDeps, authAudit } from './auth-deps.js';

export interface CurrentPasswordCheck {
  /** The signed-in user's home tenant and id: the account whose limit the guess counts against. */
  tenantId: string;
  userId: string;
  /** The stored hash; null for an account without a password (SSO only). */
  hash: string | null;
  password: string;
}

const wrong = () =>
  new AppError('validation.invalid', 'The current password is wrong', {
    errors: [{ field: 'currentPassword', code: 'password.wrong', message: 'Wrong password' }],
  });

/**
 * Proves the current password of a signed-in user (issue 20 #9). Whoever holds a stolen session
 * or token could otherwise try passwords here without end, so each check takes a slot of the
 * account's sign-in counter before argon2 runs: no slot left, or the temporary lock on, and the
 * answer is `auth.throttled` without a check. A wrong password keeps its slot and is audited in
 * the home tenant; at the limit the sign-in lock starts. A right one gives its slot back.
 * argon2 runs outside any transaction: it is slow and holds no rows. Returns the proven hash.
 */
export async function verifyCurrentPassword(deps: AuthDeps, ctx: Ctx, c: CurrentPasswordCheck): Promise<string> {
  const limit = deps.settings.login.maxFailuresPerAccount;
  if (c.hash === null) {
    await recordFailure(deps, ctx, c, 'no_password', undefined);
    throw wrong();
  }
  const slot = await deps.authStore.read(async (r) => {
    const taken = await r.throttle.take(acctKey(c.userId), deps.clock.now(), deps.settings.login.windowSeconds, limit);
    // Read after the slot, as at sign-in: a lock committed with the counter's reset is seen.
    const until = lockedUntil(await r.throttle.peek(lockKey(c.userId)));
    if (until && until > deps.clock.now()) {
      if (taken !== undefined) await r.throttle.giveBack(acctKey(c.userId));
      return undefined;
    }
    return taken;
  });
  if (slot === undefined) {
    await recordFailure(deps, ctx, c, 'throttled', undefined);
    throw new AppError('auth.throttled', 'Too many wrong passwords for this account; try again later');
  }
  let verified: boolean;
  try {
    verified = await deps.hasher.verify(c.hash, c.password);
  } catch (e) {
    // No verdict (an outage) is no guess: the slot goes back, best effort.
    await deps.authStore.read((r) => r.throttle.giveBack(acctKey(c.userId))).catch(() => undefined);
    throw e;
  }
  if (verified) {
    await deps.authStore.read((r) => r.throttle.giveBack(acctKey(c.userId)));
    return c.hash;
  }
  await recordFailure(deps, ctx, c, 'wrong_password', slot);
  throw wrong();
}

async function recordFailure(
  deps: AuthDeps,
  ctx: Ctx,
  c: CurrentPasswordCheck,
  reason: string,
  failures: number | undefined,
): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    await authAudit(r, ctx.meta, now, {
      tenantId: c.tenantId,
      action: 'account.password_check_failed',
      targetType: 'user',
      targetId: c.userId,
      actor: ctx.actor,
      details: { reason, ...(failures !== undefined ? { failures } : {}) },
    });
    if (failures === undefined || failures < deps.settings.login.maxFailuresPerAccount) return;
    await startTemporaryLock(r, ctx.meta, now, {
      tenantId: c.tenantId,
      userId: c.userId,
      failures,
      reason: 'too_many_failed_password_checks',
    });
  });
}
