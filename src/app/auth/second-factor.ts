import type { Actor } from '../../domain/access.js';
import { AppError } from '../../domain/errors.js';
import { canonicalRecoveryCode, type MfaServices } from '../../domain/mfa.js';
import type { RequestMeta } from '../context.js';
import { acctKey, lockedUntil, lockKey, startTemporaryLock } from './account-throttle.js';
import { type AuthDeps, authAudit } from './auth-deps.js';

/** A code from the authenticator app, or one of the recovery codes. */
export type FactorProof = { code: string } | { recoveryCode: string } | { passkey: unknown };
export type ProvenBy = 'totp' | 'recovery_code' | 'passkey';

export const mfaOf = (deps: AuthDeps): MfaServices => {
  if (!deps.mfa) throw new AppError('internal.error', 'Second factors are not wired on this server');
  return deps.mfa;
};

const wrong = () => new AppError('mfa.code_invalid', 'The code is wrong, used or expired');

/**
 * Checks a second factor of an account (issue 16 #1). TOTP guesses are throttled like passwords:
 * each check takes a slot of the same per-account counter as sign-in and the current-password
 * check before anything is compared, and at the limit the same temporary lock starts — a stolen
 * password gives no more code guesses than password guesses. A correct password does not reset
 * that counter while the second factor is still open; only a complete sign-in does.
 *
 * A TOTP code is accepted once: storage records its time step in one conditional UPDATE, so the
 * same code (or an older one) is refused afterwards, also when two requests race on two
 * instances. A recovery code is consumed with `UPDATE … WHERE used_at IS NULL RETURNING`.
 * `confirming`: the code proves a TOTP enrolment that is not confirmed yet.
 */
export async function proveSecondFactor(
  deps: AuthDeps,
  meta: RequestMeta,
  who: { tenantId: string; userId: string; actor?: Actor | null },
  proof: FactorProof,
  opts: { confirming?: boolean } = {},
): Promise<ProvenBy> {
  const mfa = mfaOf(deps);
  const limit = deps.settings.login.maxFailuresPerAccount;
  const slot = await deps.authStore.read(async (r) => {
    const taken = await r.throttle.take(
      acctKey(who.userId),
      deps.clock.now(),
      deps.settings.login.windowSeconds,
      limit,
    );
    const until = lockedUntil(await r.throttle.peek(lockKey(who.userId)));
    if (until && until > deps.clock.now()) {
      if (taken !== undefined) await r.throttle.giveBack(acctKey(who.userId));
      return undefined;
    }
    return taken;
  });
  if (slot === undefined) {
    await recordFailure(deps, meta, who, 'throttled', undefined);
    throw new AppError('auth.throttled', 'Too many wrong codes for this account; try again later');
  }
  let outcome: ProvenBy | 'wrong' | 'replayed';
  try {
    outcome = await check(deps, mfa, who, proof, opts.confirming === true);
  } catch (e) {
    // No verdict (an outage) is no guess: the slot goes back, best effort.
    await deps.authStore.read((r) => r.throttle.giveBack(acctKey(who.userId))).catch(() => undefined);
    throw e;
  }
  if (outcome === 'totp' || outcome === 'recovery_code' || outcome === 'passkey') {
    await deps.authStore.read((r) => r.throttle.giveBack(acctKey(who.userId)));
    return outcome;
  }
  await recordFailure(deps, meta, who, outcome === 'replayed' ? 'code_replayed' : 'wrong_code', slot);
  throw wrong();
}

async function check(
  deps: AuthDeps,
  mfa: MfaServices,
  who: { tenantId: string; userId: string },
  proof: FactorProof,
  confirming: boolean,
): Promise<ProvenBy | 'wrong' | 'replayed'> {
  const now = deps.clock.now();
  if ('passkey' in proof) return checkPasskey(deps, mfa, who, proof.passkey, now);
  if ('recoveryCode' in proof) {
    // Recovery codes stand in for a factor only once one is confirmed (never during enrolment).
    if (confirming) return 'wrong';
    const hash = deps.tokens.hash(canonicalRecoveryCode(proof.recoveryCode));
    const used = await deps.authStore.read((r) => r.mfa.consumeRecoveryCode(who.tenantId, who.userId, hash, now));
    return used ? 'recovery_code' : 'wrong';
  }
  const factor = await deps.authStore.read((r) => r.mfa.totpFactor(who.tenantId, who.userId));
  if (!factor || (factor.confirmedAt === null) !== confirming) return 'wrong';
  const step = mfa.totp.match(mfa.box.open(factor.secretSealed), proof.code.trim(), now);
  if (step === undefined) return 'wrong';
  const fresh = await deps.authStore.read((r) => r.mfa.useStep(who.tenantId, factor.id, step, now, confirming));
  return fresh ? 'totp' : 'replayed';
}

/** Where the browser's WebAuthn calls must come from: Kontor's public address. */
export const relyingParty = (deps: AuthDeps) => {
  const u = new URL(deps.settings.publicUrl);
  return { rpId: u.hostname, origin: u.origin };
};

/**
 * A passkey assertion: the credential must be one of the account's, the challenge one this
 * server issued for it (or for a passwordless sign-in in its tenant), used once; the counter
 * must grow (MfaRepo.usePasskey), so a cloned key or a replayed assertion is refused.
 */
async function checkPasskey(
  deps: AuthDeps,
  mfa: MfaServices,
  who: { tenantId: string; userId: string },
  response: unknown,
  now: Date,
): Promise<ProvenBy | 'wrong' | 'replayed'> {
  const id = mfa.webauthn.credentialIdOf(response);
  if (!id) return 'wrong';
  const cred = await deps.authStore.read((r) => r.mfa.findPasskey(who.tenantId, id, who.userId));
  if (!cred?.factor.confirmedAt) return 'wrong';
  const verified = await mfa.webauthn.verifyAuthentication({
    response,
    ...relyingParty(deps),
    credential: cred,
    challenge: async (c) => {
      const row = await deps.authStore.read((r) =>
        r.challenges.consume(deps.tokens.hash(c), 'webauthn_authenticate', now),
      );
      return row !== undefined && row.tenantId === who.tenantId && (row.userId === null || row.userId === who.userId);
    },
  });
  if (!verified) return 'wrong';
  const fresh = await deps.authStore.read((r) =>
    r.mfa.usePasskey(who.tenantId, cred.factor.id, verified.newCounter, now),
  );
  return fresh ? 'passkey' : 'replayed';
}

async function recordFailure(
  deps: AuthDeps,
  meta: RequestMeta,
  who: { tenantId: string; userId: string; actor?: Actor | null },
  reason: string,
  failures: number | undefined,
): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    await authAudit(r, meta, now, {
      tenantId: who.tenantId,
      action: 'auth.second_factor_failed',
      targetType: 'user',
      targetId: who.userId,
      actor: who.actor ?? null,
      details: { reason, ...(failures !== undefined ? { failures } : {}) },
    });
    if (failures === undefined || failures < deps.settings.login.maxFailuresPerAccount) return;
    await startTemporaryLock(r, meta, now, {
      tenantId: who.tenantId,
      userId: who.userId,
      failures,
      reason: 'too_many_wrong_codes',
    });
  });
}
