import { AppError } from '../../domain/errors.js';
import { hasSecondFactor } from '../../domain/mfa.js';
import { mfaRequired } from '../../domain/security-policy.js';
import { policyForActing } from '../security-policy.js';
import type { AuthDeps, Principal } from './auth-deps.js';

/**
 * Step-up for sensitive actions (issue 16 #5): granting or revoking roles, resetting another
 * user's password or factors, exports with password hashes, API token and app secret creation,
 * policy changes. A session of an actor who has a factor — or whom the policy obliges to one —
 * must have proven a factor within the policy's step-up window (`stepUpSeconds`); otherwise the
 * stable `403 auth.step_up_required`, which the console answers by asking for the factor
 * (`POST /me/mfa/verify`) and retrying. An API token is not asked: it cannot show a factor, and
 * minting one is itself a step-up action, so its holder proved one when it was made.
 */
export async function assertStepUp(deps: AuthDeps, p: Principal): Promise<void> {
  if (p.kind !== 'session') return;
  const { actor } = p.ctx;
  const facts = await deps.authStore.read(async (r) => ({
    policy: await policyForActing(r, actor.homeTenantId, actor.actingTenantId, deps.settings),
    factors: (await r.mfa.listFactors(actor.homeTenantId, actor.userId)).filter((f) => f.confirmedAt !== null).length,
  }));
  if (facts.factors === 0 && !mfaRequired({ mfa: facts.policy.mfa.value }, actor.isAdmin)) return;
  const age = deps.clock.now().getTime() - (p.authTime?.getTime() ?? 0);
  if (hasSecondFactor(p.amr ?? []) && age <= facts.policy.stepUpSeconds.value * 1000) return;
  throw new AppError(
    'auth.step_up_required',
    `Confirm your second factor (POST /api/v1/me/mfa/verify) and retry; it counts for ${facts.policy.stepUpSeconds.value} s`,
  );
}
