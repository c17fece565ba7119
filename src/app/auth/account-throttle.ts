import type { AuthRepos } from '../../domain/auth-ports.js';
import type { RequestMeta } from '../context.js';
import { authAudit } from './auth-deps.js';

/**
 * The per-account limit on password guesses, shared by sign-in and the current-password check
 * (issue 20 #9): a guess is a guess wherever it is typed, so both draw from one counter and one
 * temporary lock, and a stolen session cannot try passwords beside the sign-in limit.
 */
export const acctKey = (userId: string) => `acct:${userId}`;
/** The temporary lock's level (`failures`) and when the last lock began (`window_start`). */
export const lockKey = (userId: string) => `lock:${userId}`;

/**
 * Failed guesses never lock an account for good (issue 14 #2, docs/decisions/0004-lock-out.md):
 * reaching the limit starts a temporary lock of 1 minute, doubling with each further lock up to
 * 15 minutes; a day without a lock starts again at 1 minute. A stranger can slow an account
 * down, never shut its owner out. The administrator's lock (state `locked`) is separate.
 */
export const TEMP_LOCK_BASE_SECONDS = 60;
export const TEMP_LOCK_MAX_SECONDS = 15 * 60;
const TEMP_LOCK_DECAY_SECONDS = 24 * 3600;
export const tempLockSeconds = (level: number): number =>
  Math.min(TEMP_LOCK_BASE_SECONDS * 2 ** Math.min(Math.max(level - 1, 0), 20), TEMP_LOCK_MAX_SECONDS);
export const lockedUntil = (lock: { failures: number; windowStart: Date } | undefined): Date | undefined =>
  lock && lock.failures > 0 ? new Date(lock.windowStart.getTime() + tempLockSeconds(lock.failures) * 1000) : undefined;

/**
 * Starts (or raises) the temporary lock once the account's failures reached the limit. Runs in
 * the transaction that records the failure, so the lock commits together with the counter's
 * reset: the next attempt after it starts with a fresh count. Sessions stay: a stranger's
 * guesses must not sign the owner out.
 */
export async function startTemporaryLock(
  r: AuthRepos,
  meta: RequestMeta,
  now: Date,
  a: { tenantId: string; userId: string; failures: number; reason: string },
): Promise<void> {
  const level = await r.throttle.escalate(lockKey(a.userId), now, TEMP_LOCK_DECAY_SECONDS);
  await r.throttle.reset(acctKey(a.userId));
  const lockSeconds = tempLockSeconds(level);
  await authAudit(r, meta, now, {
    tenantId: a.tenantId,
    action: 'user.temporarily_locked',
    targetType: 'user',
    targetId: a.userId,
    details: {
      reason: a.reason,
      failures: a.failures,
      level,
      seconds: lockSeconds,
      until: new Date(now.getTime() + lockSeconds * 1000).toISOString(),
    },
  });
}

/**
 * Ends an account's temporary lock and failure count (the operator's break-glass, in the
 * caller's transaction); returns when the lock would have ended, if one was in force. The
 * lock's level goes too: the next lock starts at 1 minute again. Per-address limits stay.
 */
export async function clearTemporaryLock(
  r: Pick<AuthRepos, 'throttle'>,
  userId: string,
  now: Date,
): Promise<Date | undefined> {
  const until = lockedUntil(await r.throttle.peek(lockKey(userId)));
  await r.throttle.reset(acctKey(userId));
  await r.throttle.reset(lockKey(userId));
  return until && until > now ? until : undefined;
}
