import type { AuthRepos } from '../domain/auth-ports.js';
import { AppError } from '../domain/errors.js';
import { checkPassword } from '../domain/password-policy.js';
import type { Tenant } from '../domain/tenant.js';
import type { User, UserState } from '../domain/user.js';
import type { AuthServices } from './auth/auth-deps.js';
import { clearTemporaryLock } from './auth/login.js';
import { type AppDeps, audit } from './context.js';
import { changedBySomeoneElse, queueMail } from './mail-outbox.js';

/**
 * Break-glass for operators (issue 14 #3): whoever runs the CLI on the server's database may
 * unlock an account or give it a one-time password when no administrator can (the last
 * administrator locked out, or locked himself out by guessing). No rank rule applies, the
 * operator stands above the tenant tree; every use is audited with no actor and `by: operator`.
 */
export type BreakGlassDeps = Pick<AppDeps, 'clock' | 'hasher'> &
  Pick<AuthServices, 'authStore'> & {
    /** The generator the first administrator's password comes from (compose.ts). */
    oneTimePassword: () => string;
  };

export interface BreakGlassTarget {
  tenantSlug: string;
  loginName: string;
}

export interface Unlocked {
  user: User;
  /** The state before: `locked` (an administrator's lock, now lifted) or `active`. */
  from: UserState;
  /** When the temporary lock would have ended, if one was in force. */
  temporaryLockUntil?: Date;
}

export interface PasswordReset {
  user: User;
  tenant: Tenant;
  /** Shown once to the operator; the user must change it at first sign-in. */
  password: string;
}

async function findTarget(
  r: AuthRepos,
  t: BreakGlassTarget,
  opts: { lock: boolean },
): Promise<{ tenant: Tenant; user: User }> {
  const tenant = await r.tenants.findBySlug(t.tenantSlug);
  if (!tenant) throw new AppError('resource.not_found', `No tenant ${t.tenantSlug}`);
  const found = await r.users.findByLogin(tenant.id, t.loginName);
  // Locked for the change: a concurrent lock or password set waits, then sees this one.
  const user = found && opts.lock ? await r.users.lockForUpdate(tenant.id, found.id) : found;
  if (!user) throw new AppError('resource.not_found', `No user ${t.loginName} in tenant ${t.tenantSlug}`);
  return { tenant, user };
}

/**
 * Lifts an administrator's lock (state `locked`) and the temporary lock of failed sign-ins, and
 * clears the failure count, so the right password works at once. A disabled user stays
 * disabled: disabling is a decision about the account, not a lock-out, and belongs to its
 * administrators. Sessions and tokens ended by the lock stay ended (decision 0009).
 */
export async function operatorUnlock(
  deps: Pick<BreakGlassDeps, 'clock' | 'authStore'>,
  target: BreakGlassTarget,
): Promise<Unlocked> {
  return deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { tenant, user } = await findTarget(r, target, { lock: true });
    if (user.state === 'disabled') {
      throw new AppError(
        'user.not_active',
        `${user.loginName} is disabled, not locked: an administrator of ${tenant.slug} enables it`,
      );
    }
    const updated = user.state === 'locked' ? await r.users.update(tenant.id, user.id, { state: 'active' }, now) : user;
    const until = await clearTemporaryLock(r, user.id, now);
    await audit(r, null, now, {
      tenantId: tenant.id,
      action: 'user.unlocked',
      targetType: 'user',
      targetId: user.id,
      details: { by: 'operator', from: user.state, ...(until ? { temporaryLockUntil: until.toISOString() } : {}) },
    });
    return { user: updated, from: user.state, ...(until ? { temporaryLockUntil: until } : {}) };
  });
}

/**
 * Gives the user a fresh one-time password that must be changed at first sign-in, clears the
 * temporary lock and failure count, and ends every session and API token of the user, as any
 * password set does (UserRepo.setPassword, decision 0009). The state is left alone: a locked
 * user needs `operatorUnlock` too, a disabled one its administrators.
 */
export async function operatorResetPassword(deps: BreakGlassDeps, target: BreakGlassTarget): Promise<PasswordReset> {
  const password = deps.oneTimePassword();
  // Hashed before the transaction (argon2 takes a while); the policy sees the real names.
  const { tenant } = await deps.authStore.read(async (r) => findTarget(r, target, { lock: false }));
  const hash = await deps.hasher.hash(
    checkPassword(password, { tenantName: tenant.name, tenantSlug: tenant.slug, loginName: target.loginName }),
  );
  const user = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findTarget(r, target, { lock: true });
    await r.users.setPassword(tenant.id, user.id, hash, true, now);
    await clearTemporaryLock(r, user.id, now);
    // The address hears of it, as after an administrator's change: an operator is no exception.
    if (user.email) await queueMail(r, now, changedBySomeoneElse(user.email, 'password'));
    await audit(r, null, now, {
      tenantId: tenant.id,
      action: 'user.password_set',
      targetType: 'user',
      targetId: user.id,
      details: { by: 'operator', mustChange: true },
    });
    return user;
  });
  return { user, tenant, password };
}
