import { AppError, notFound } from '../../domain/errors.js';
import { hasSecondFactor, RECOVERY_CODE_COUNT } from '../../domain/mfa.js';
import type { RequestMeta } from '../context.js';
import { queueMail } from '../mail-outbox.js';
import { policyOf } from '../security-policy.js';
import { type AuthDeps, authAudit, type Principal, seconds } from './auth-deps.js';
import type { LoginResult } from './login.js';
import {
  assertRecentSignIn,
  type ConfirmedEnrolment,
  factorMail,
  newRecoveryCodes,
  ownUser,
  sessionOnly,
  view,
} from './mfa-enrolment.js';
import { mfaOf, proveSecondFactor, relyingParty } from './second-factor.js';
import { openSession } from './sessions.js';

/**
 * Passkeys (issue 16 #1): WebAuthn credentials with user verification, registered after a
 * recent sign-in, used as the second factor after a password or alone (passwordless) where the
 * policy allows passkeys. Challenges are stored by hash and used once; the browser must call
 * from Kontor's public origin, and the RP ID is its host name.
 */
const CHALLENGE_SECONDS = 5 * 60;

async function issueChallenge(
  deps: AuthDeps,
  c: {
    challenge: string;
    purpose: 'webauthn_register' | 'webauthn_authenticate';
    tenantId: string;
    userId: string | null;
  },
): Promise<void> {
  const now = deps.clock.now();
  await deps.authStore.read((r) =>
    r.challenges.insert({
      challengeHash: deps.tokens.hash(c.challenge),
      purpose: c.purpose,
      tenantId: c.tenantId,
      userId: c.userId,
      createdAt: now,
      expiresAt: seconds(now, CHALLENGE_SECONDS),
    }),
  );
}

async function assertPasskeysAllowed(deps: AuthDeps, tenantId: string): Promise<void> {
  const policy = await deps.authStore.read((r) => policyOf(r, tenantId, deps.settings));
  if (!policy.allowedFactors.value.includes('passkey')) {
    throw new AppError('policy.factor_not_allowed', 'The security policy does not allow passkeys');
  }
}

/** Creation options for a new passkey of the signed-in user (current password again). */
export async function startPasskeyRegistration(
  deps: AuthDeps,
  p: Principal,
  input: { currentPassword?: string | undefined },
): Promise<{ challenge: string }> {
  sessionOnly(p);
  const mfa = mfaOf(deps);
  const user = await ownUser(deps, p);
  await assertRecentSignIn(deps, p, user, input.currentPassword);
  await assertPasskeysAllowed(deps, user.tenantId);
  const { tenant, ids } = await deps.authStore.read(async (r) => ({
    tenant: await r.tenants.findById(user.tenantId),
    ids: await r.mfa.listPasskeyIds(user.tenantId, user.id),
  }));
  const options = await mfa.webauthn.registrationOptions({
    rpName: mfa.issuer,
    rpId: relyingParty(deps).rpId,
    userId: user.id,
    userName: `${user.loginName}@${tenant?.slug ?? ''}`,
    excludeCredentialIds: ids,
  });
  await issueChallenge(deps, {
    challenge: options.challenge,
    purpose: 'webauthn_register',
    tenantId: user.tenantId,
    userId: user.id,
  });
  return options;
}

/** Verifies the browser's answer and stores the passkey; the first factor brings recovery codes. */
export async function finishPasskeyRegistration(
  deps: AuthDeps,
  p: Principal,
  input: { response: unknown; label?: string | undefined },
): Promise<ConfirmedEnrolment> {
  sessionOnly(p);
  const mfa = mfaOf(deps);
  const user = await ownUser(deps, p);
  const now = deps.clock.now();
  const created = await mfa.webauthn.verifyRegistration({
    response: input.response,
    ...relyingParty(deps),
    challenge: async (c) => {
      const row = await deps.authStore.read((r) => r.challenges.consume(deps.tokens.hash(c), 'webauthn_register', now));
      return row?.userId === user.id;
    },
  });
  if (!created) throw new AppError('mfa.passkey_refused', 'The passkey could not be verified; start again');
  const out = await deps.authStore.transaction(async (r) => {
    const factor = {
      id: deps.ids.newId(),
      tenantId: user.tenantId,
      userId: user.id,
      kind: 'passkey' as const,
      label: input.label ?? 'Passkey',
      createdAt: now,
      confirmedAt: now,
      lastUsedAt: null,
    };
    await r.mfa.insertPasskey({ ...factor, ...created });
    const first = (await r.mfa.remainingRecoveryCodes(user.tenantId, user.id)) === 0;
    const recoveryCodes = first ? await newRecoveryCodes(deps, r, user, now) : undefined;
    await authAudit(r, p.ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'mfa.factor_added',
      targetType: 'user',
      targetId: user.id,
      actor: p.ctx.actor,
      details: { kind: 'passkey', factorId: factor.id, recoveryCodes: first ? RECOVERY_CODE_COUNT : 0 },
    });
    if (user.email) await queueMail(r, now, factorMail(user, 'A passkey was added', deps.settings.publicUrl));
    // As with TOTP: a session that showed no factor is replaced by one that did (new id).
    let session: ConfirmedEnrolment['session'];
    if (!hasSecondFactor(p.amr ?? []) && p.sessionHash) {
      await r.sessions.revoke(p.sessionHash, now);
      const tenant = await r.tenants.findById(user.tenantId);
      if (!tenant) throw notFound('tenant');
      session = await openSession(r, deps, p.ctx.meta, {
        user,
        tenant,
        details: { method: 'mfa_enrolment' },
        amr: [...new Set([...(p.amr ?? ['pwd']), 'hwk'])],
      });
    }
    return { factor: view(factor), ...(recoveryCodes ? { recoveryCodes } : {}), ...(session ? { session } : {}) };
  });
  await deps.mailer?.flush();
  return out;
}

/** Request options for the second step of a sign-in (after the password), for the user's passkeys. */
export async function passkeyOptionsForPendingLogin(
  deps: AuthDeps,
  pendingToken: string,
): Promise<{ challenge: string }> {
  const mfa = mfaOf(deps);
  const pending = await deps.authStore.read((r) =>
    r.oneTimeTokens.peek(deps.tokens.hash(pendingToken), 'mfa_pending', deps.clock.now()),
  );
  if (!pending) throw new AppError('auth.token_invalid', 'The sign-in has expired; start again with the password');
  const ids = await deps.authStore.read((r) => r.mfa.listPasskeyIds(pending.tenantId, pending.userId));
  const options = await mfa.webauthn.authenticationOptions({ rpId: relyingParty(deps).rpId, allowCredentialIds: ids });
  await issueChallenge(deps, {
    challenge: options.challenge,
    purpose: 'webauthn_authenticate',
    tenantId: pending.tenantId,
    userId: pending.userId,
  });
  return options;
}

/** Request options for proving a passkey in the current session (step-up, `/me/mfa/verify`). */
export async function passkeyOptionsForSession(deps: AuthDeps, p: Principal): Promise<{ challenge: string }> {
  sessionOnly(p);
  const mfa = mfaOf(deps);
  const { actor } = p.ctx;
  const ids = await deps.authStore.read((r) => r.mfa.listPasskeyIds(actor.homeTenantId, actor.userId));
  if (ids.length === 0) throw notFound('passkey');
  const options = await mfa.webauthn.authenticationOptions({ rpId: relyingParty(deps).rpId, allowCredentialIds: ids });
  await issueChallenge(deps, {
    challenge: options.challenge,
    purpose: 'webauthn_authenticate',
    tenantId: actor.homeTenantId,
    userId: actor.userId,
  });
  return options;
}

/** Request options for a passwordless sign-in in a tenant (discoverable credentials). */
export async function passkeyOptionsForTenant(deps: AuthDeps, slug: string): Promise<{ challenge: string }> {
  const mfa = mfaOf(deps);
  const tenant = await deps.authStore.read((r) => r.tenants.findBySlug(slug));
  if (!tenant) throw notFound('tenant');
  await assertPasskeysAllowed(deps, tenant.id);
  const options = await mfa.webauthn.authenticationOptions({ rpId: relyingParty(deps).rpId, allowCredentialIds: [] });
  await issueChallenge(deps, {
    challenge: options.challenge,
    purpose: 'webauthn_authenticate',
    tenantId: tenant.id,
    userId: null,
  });
  return options;
}

const refused = () => new AppError('auth.invalid_credentials', 'The passkey was not accepted');

/**
 * Passwordless sign-in: the passkey alone (possession plus the authenticator's user
 * verification: amr `["hwk","user"]`), where the policy allows passkeys. Throttled per account
 * like any factor; an unknown credential answers like a refused one.
 */
export async function signInWithPasskey(
  deps: AuthDeps,
  input: { tenant: string; response: unknown; previousSessionId?: string | undefined },
  meta: RequestMeta,
): Promise<LoginResult> {
  const mfa = mfaOf(deps);
  const id = mfa.webauthn.credentialIdOf(input.response);
  const found = await deps.authStore.read(async (r) => {
    const tenant = await r.tenants.findBySlug(input.tenant);
    const cred = tenant && id ? await r.mfa.findPasskey(tenant.id, id) : undefined;
    return { tenant, cred };
  });
  if (!found.tenant || !found.cred) throw refused();
  const { tenant, cred } = found;
  await assertPasskeysAllowed(deps, tenant.id);
  await proveSecondFactor(deps, meta, { tenantId: tenant.id, userId: cred.factor.userId }, { passkey: input.response });
  const result = await deps.authStore.transaction(async (r) => {
    const user = await r.users.findInTenant(tenant.id, cred.factor.userId);
    const fresh = await r.tenants.findById(tenant.id);
    if (user?.state !== 'active' || fresh?.status !== 'active') throw refused();
    const opened = await openSession(r, deps, meta, {
      user,
      tenant: fresh,
      previousSessionId: input.previousSessionId,
      details: { method: 'passkey', factorId: cred.factor.id },
      amr: ['hwk', 'user'],
    });
    return { kind: 'session' as const, ...opened, user, tenant: fresh, mfaEnrolmentRequired: false };
  });
  deps.metrics?.signIn('succeeded');
  return result;
}
