import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/user.js';
import { audit, type Ctx } from '../context.js';
import { findManagedUser, refuseSelf } from '../user-access.js';
import { clearTemporaryLock } from './account-throttle.js';
import type { AuthDeps } from './auth-deps.js';

/**
 * An administrator's unlock: lifts a lock set by an administrator and the temporary lock left
 * by wrong guesses, in one transaction. Both are what "locked out" means to the user calling
 * for help; before, unlocking an active user under a temporary lock did nothing and he had to
 * wait it out. Same permission and rank rule as locking. A disabled user stays disabled
 * (`enable` is the decision for that).
 */
export async function unlockUser(deps: AuthDeps, ctx: Ctx, userId: string): Promise<User> {
  refuseSelf(ctx, userId, 'change your own state');
  return deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, ctx, userId, 'users.lock', { rank: 'state.change' });
    if (user.state === 'disabled') {
      throw new AppError('user.not_active', 'The user is disabled, not locked: enable it');
    }
    const until = await clearTemporaryLock(r, user.id, now);
    const lifted = until ? { temporaryLockUntil: until.toISOString() } : {};
    if (user.state === 'locked') {
      const updated = await r.users.update(user.tenantId, user.id, { state: 'active' }, now);
      await audit(r, ctx, now, {
        tenantId: user.tenantId,
        action: 'user.state.active',
        targetType: 'user',
        targetId: user.id,
        details: { from: 'locked', to: 'active', ...lifted },
      });
      return updated;
    }
    if (until) {
      await audit(r, ctx, now, {
        tenantId: user.tenantId,
        action: 'user.unlocked',
        targetType: 'user',
        targetId: user.id,
        details: { by: 'administrator', from: 'active', ...lifted },
      });
    }
    return user;
  });
}
