import { AppError } from '../../domain/errors.js';
import type { RequestMeta } from '../context.js';
import { queueMail } from '../mail-outbox.js';
import { acctKey, lockKey } from './account-throttle.js';
import type { AuthDeps } from './auth-deps.js';
import type { LoginResult } from './login.js';
import { type FactorProof, proveSecondFactor } from './second-factor.js';
import { openSession } from './sessions.js';

export type SecondFactorInput = FactorProof & {
  pendingToken: string;
  previousSessionId?: string | undefined;
};

const invalid = () => new AppError('auth.token_invalid', 'The sign-in has expired; start again with the password');

/**
 * The second step of a sign-in (issue 16 #2): the pending-login token from the password step
 * and a code. The token is only peeked while the code is checked (a wrong code does not burn it;
 * the account's counter limits the guesses), then consumed in the transaction that opens the
 * session, so of two racing completions one session opens. The session records `amr`
 * `["pwd","otp"]` (a recovery code is a one-time password too; the audit says which).
 */
export async function completeSecondFactor(
  deps: AuthDeps,
  input: SecondFactorInput,
  meta: RequestMeta,
): Promise<LoginResult> {
  const tokenHash = deps.tokens.hash(input.pendingToken);
  const pending = await deps.authStore.read((r) => r.oneTimeTokens.peek(tokenHash, 'mfa_pending', deps.clock.now()));
  if (!pending) throw invalid();
  const proof: FactorProof =
    'recoveryCode' in input
      ? { recoveryCode: input.recoveryCode }
      : 'passkey' in input
        ? { passkey: input.passkey }
        : { code: input.code };
  const by = await proveSecondFactor(deps, meta, { tenantId: pending.tenantId, userId: pending.userId }, proof);
  const result = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    if (!(await r.oneTimeTokens.consume(tokenHash, 'mfa_pending', now))) throw invalid();
    const user = await r.users.findInTenant(pending.tenantId, pending.userId);
    const tenant = await r.tenants.findById(pending.tenantId);
    // Locked, disabled or suspended since the password step: no session.
    if (user?.state !== 'active' || tenant?.status !== 'active') throw invalid();
    await r.throttle.reset(acctKey(user.id));
    await r.throttle.reset(lockKey(user.id));
    const opened = await openSession(r, deps, meta, {
      user,
      tenant,
      previousSessionId: input.previousSessionId,
      details: { method: 'password', secondFactor: by },
      amr: by === 'passkey' ? ['pwd', 'hwk'] : ['pwd', 'otp'],
    });
    if (by === 'recovery_code' && user.email) {
      const left = await r.mfa.remainingRecoveryCodes(tenant.id, user.id);
      await queueMail(r, now, {
        to: user.email,
        subject: 'A Kontor recovery code was used',
        text: `Someone signed in to your Kontor account with a recovery code. ${left} codes are left. If it was not you, tell your administrator.`,
        link: `${deps.settings.publicUrl}/`,
      });
    }
    return { kind: 'session' as const, ...opened, user, tenant, mfaEnrolmentRequired: false };
  });
  if (by === 'recovery_code') await deps.mailer?.flush();
  deps.metrics?.signIn('succeeded');
  return result;
}
