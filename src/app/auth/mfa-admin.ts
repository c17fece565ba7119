import { audit } from '../context.js';
import { queueMail } from '../mail-outbox.js';
import { findManagedUser, refuseSelf } from '../user-access.js';
import type { AuthDeps, Principal } from './auth-deps.js';
import type { FactorView } from './mfa-enrolment.js';

/**
 * An administrator's view of another user's second factors (issue 16 #3): which kinds, never a
 * secret; and the reset, for a lost phone. `users.password.reset` is the permission — whoever
 * may hand out a new password may clear the factor beside it — and the rank rule applies to
 * both (`mfa.change`): knowing and clearing a stronger administrator's factors are steps
 * towards its account. One's own factors are changed through /me/mfa, with the password.
 */
const PERMISSION = 'users.password.reset';

export async function listUserFactors(
  deps: AuthDeps,
  p: Principal,
  userId: string,
): Promise<{ items: FactorView[]; recoveryCodesLeft: number }> {
  return deps.authStore.read(async (r) => {
    const { user } = await findManagedUser(r, deps, p.ctx, userId, PERMISSION, { rank: 'mfa.change' });
    const items = (await r.mfa.listFactors(user.tenantId, user.id)).map((f) => ({
      id: f.id,
      kind: f.kind,
      label: f.label,
      createdAt: f.createdAt,
      confirmedAt: f.confirmedAt,
      lastUsedAt: f.lastUsedAt,
    }));
    return { items, recoveryCodesLeft: await r.mfa.remainingRecoveryCodes(user.tenantId, user.id) };
  });
}

/** Removes every factor and recovery code of the user; audited in its home tenant, the user mailed. */
export async function resetUserFactors(deps: AuthDeps, p: Principal, userId: string): Promise<{ removed: string[] }> {
  refuseSelf(p.ctx, userId, 'reset your own second factors');
  const out = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, p.ctx, userId, PERMISSION, { rank: 'mfa.change' });
    const removed = await r.mfa.deleteAll(user.tenantId, user.id);
    await audit(r, p.ctx, now, {
      tenantId: user.tenantId,
      action: 'user.factors_reset',
      targetType: 'user',
      targetId: user.id,
      details: { removed },
    });
    if (user.email) {
      await queueMail(r, now, {
        to: user.email,
        subject: 'Kontor: your second factors were reset',
        text: `An administrator removed the second factors of your Kontor account (${user.loginName}). Enrol a new one at your next sign-in. If you did not ask for this, tell your administrator.`,
        link: `${deps.settings.publicUrl}/`,
      });
    }
    return { removed };
  });
  await deps.mailer?.flush();
  return out;
}
