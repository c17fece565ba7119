import type { AuthRepos } from '../../domain/auth-ports.js';
import { AppError, notFound } from '../../domain/errors.js';
import { canonicalRecoveryCode, type Factor, hasSecondFactor, RECOVERY_CODE_COUNT } from '../../domain/mfa.js';
import { mfaRequired } from '../../domain/security-policy.js';
import type { User } from '../../domain/user.js';
import { queueMail } from '../mail-outbox.js';
import { policyForActing, policyOf } from '../security-policy.js';
import { type AuthDeps, authAudit, type Principal } from './auth-deps.js';
import { verifyCurrentPassword } from './current-password.js';
import { mfaOf, proveSecondFactor } from './second-factor.js';
import { openSession } from './sessions.js';

/**
 * Enrolment and removal of the own second factors (issue 16 #1). Each change needs a recent
 * sign-in — the current password typed again (throttled with sign-in), or, for an account
 * without a password, a sign-in within the step-up window — and a session: an API token never
 * changes how its owner signs in. The owner is mailed of every added or removed factor.
 */

export interface FactorView {
  id: string;
  kind: Factor['kind'];
  label: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

export const view = (f: Factor): FactorView => ({
  id: f.id,
  kind: f.kind,
  label: f.label,
  createdAt: f.createdAt,
  confirmedAt: f.confirmedAt,
  lastUsedAt: f.lastUsedAt,
});

export function sessionOnly(p: Principal): void {
  if (p.kind !== 'session') throw new AppError('auth.forbidden', 'Second factors are managed from a signed-in session');
}

export async function ownUser(deps: AuthDeps, p: Principal): Promise<User> {
  const { actor } = p.ctx;
  const user = await deps.authStore.read((r) => r.users.findInTenant(actor.homeTenantId, actor.userId));
  if (!user) throw new AppError('auth.unauthenticated');
  return user;
}

/** The current password again, or a fresh sign-in for an account without one. */
export async function assertRecentSignIn(
  deps: AuthDeps,
  p: Principal,
  user: User,
  currentPassword?: string,
): Promise<void> {
  // A session that never proved a second factor (a password or SSO sign-in that skipped it, or
  // one opened before the factor existed) must not add, remove or renew factors of an account
  // that has one: a new factor would upgrade the session and step around the existing one.
  const factors = await deps.authStore.read((r) => r.mfa.listFactors(user.tenantId, user.id));
  if (factors.some((f) => f.confirmedAt !== null) && !hasSecondFactor(p.amr ?? [])) {
    throw new AppError('auth.step_up_required', 'Confirm your second factor first (POST /api/v1/me/mfa/verify)');
  }
  const hash = await deps.authStore.read((r) => r.users.passwordHash(user.tenantId, user.id));
  if (currentPassword !== undefined || hash) {
    if (currentPassword === undefined) {
      throw new AppError('validation.invalid', 'Type your current password again', {
        errors: [{ field: 'currentPassword', code: 'required', message: 'Required for this change' }],
      });
    }
    await verifyCurrentPassword(deps, p.ctx, {
      tenantId: user.tenantId,
      userId: user.id,
      hash: hash ?? null,
      password: currentPassword,
    });
    return;
  }
  const policy = await deps.authStore.read((r) => policyOf(r, user.tenantId, deps.settings));
  const age = deps.clock.now().getTime() - (p.authTime?.getTime() ?? 0);
  if (age > policy.stepUpSeconds.value * 1000) {
    throw new AppError('auth.forbidden', 'Sign in again: this change needs a recent sign-in');
  }
}

export interface TotpEnrolment {
  factorId: string;
  /** Base32, shown once: for typing into an app that cannot scan. */
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

/**
 * Starts a TOTP enrolment: a new secret, sealed at rest, shown once as URI and QR code. An
 * unconfirmed earlier attempt is replaced; a confirmed TOTP factor must be removed first.
 */
export async function startTotpEnrolment(
  deps: AuthDeps,
  p: Principal,
  input: { currentPassword?: string | undefined },
): Promise<TotpEnrolment> {
  sessionOnly(p);
  const mfa = mfaOf(deps);
  const user = await ownUser(deps, p);
  await assertRecentSignIn(deps, p, user, input.currentPassword);
  const policy = await deps.authStore.read((r) => policyOf(r, user.tenantId, deps.settings));
  if (!policy.allowedFactors.value.includes('totp')) {
    throw new AppError('policy.factor_not_allowed', 'The security policy does not allow authenticator apps', {
      details: { source: policy.allowedFactors.source },
    });
  }
  const tenant = await deps.authStore.read((r) => r.tenants.findById(user.tenantId));
  const secret = mfa.totp.newSecret();
  const factorId = deps.ids.newId();
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const existing = await r.mfa.totpFactor(user.tenantId, user.id);
    if (existing?.confirmedAt) throw new AppError('mfa.already_enrolled', 'Remove the current authenticator app first');
    if (existing) await r.mfa.deleteFactor(user.tenantId, user.id, existing.id);
    await r.mfa.insertFactor({
      id: factorId,
      tenantId: user.tenantId,
      userId: user.id,
      kind: 'totp',
      label: 'Authenticator app',
      createdAt: now,
      confirmedAt: null,
      lastUsedAt: null,
      secretSealed: mfa.box.seal(secret),
    });
    await authAudit(r, p.ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'mfa.enrolment_started',
      targetType: 'user',
      targetId: user.id,
      actor: p.ctx.actor,
      details: { kind: 'totp', factorId },
    });
  });
  const otpauthUri = mfa.totp.uri(secret, `${user.loginName}@${tenant?.slug ?? ''}`, mfa.issuer);
  return { factorId, secret, otpauthUri, qrDataUrl: await mfa.totp.qrDataUrl(otpauthUri) };
}

export async function newRecoveryCodes(deps: AuthDeps, r: AuthRepos, user: User, now: Date): Promise<string[]> {
  const mfa = mfaOf(deps);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => mfa.recoveryCode());
  const hashes = codes.map((c) => deps.tokens.hash(canonicalRecoveryCode(c)));
  await r.mfa.replaceRecoveryCodes(
    user.tenantId,
    user.id,
    hashes,
    codes.map(() => deps.ids.newId()),
    now,
  );
  return codes;
}

export const factorMail = (user: User, what: string, publicUrl: string) => ({
  to: user.email as string,
  subject: `Kontor: ${what}`,
  text: `${what} on your Kontor account (${user.loginName}). If this was not you, tell your administrator at once.`,
  link: `${publicUrl}/`,
});

export interface ConfirmedEnrolment {
  factor: FactorView;
  /** Ten single-use codes, shown once; only with the first factor. */
  recoveryCodes?: string[];
  /** A session opened for the proven factor (amr pwd+otp) when this one had not shown one. */
  session?: { sessionId: string; csrfToken: string; expiresAt: Date };
}

/**
 * Confirms a TOTP enrolment with a first code (throttled and replay-checked like any code).
 * The first factor brings ten recovery codes. The session showed no second factor until now:
 * it is replaced by one that did (`["pwd","otp"]`), with a new id — its powers grow.
 */
export async function confirmTotpEnrolment(
  deps: AuthDeps,
  p: Principal,
  input: { code: string },
): Promise<ConfirmedEnrolment> {
  sessionOnly(p);
  const user = await ownUser(deps, p);
  await proveSecondFactor(deps, p.ctx.meta, { tenantId: user.tenantId, userId: user.id, actor: p.ctx.actor }, input, {
    confirming: true,
  });
  const out = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const factor = await r.mfa.totpFactor(user.tenantId, user.id);
    if (!factor?.confirmedAt) throw notFound('factor');
    const first = (await r.mfa.remainingRecoveryCodes(user.tenantId, user.id)) === 0;
    const recoveryCodes = first ? await newRecoveryCodes(deps, r, user, now) : undefined;
    await authAudit(r, p.ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'mfa.factor_added',
      targetType: 'user',
      targetId: user.id,
      actor: p.ctx.actor,
      details: { kind: 'totp', factorId: factor.id, recoveryCodes: first ? RECOVERY_CODE_COUNT : 0 },
    });
    if (user.email)
      await queueMail(r, now, factorMail(user, 'An authenticator app was added', deps.settings.publicUrl));
    let session: ConfirmedEnrolment['session'];
    if (!(p.amr ?? []).includes('otp') && p.sessionHash) {
      await r.sessions.revoke(p.sessionHash, now);
      const tenant = await r.tenants.findById(user.tenantId);
      if (!tenant) throw notFound('tenant');
      session = await openSession(r, deps, p.ctx.meta, {
        user,
        tenant,
        details: { method: 'mfa_enrolment' },
        amr: ['pwd', 'otp'],
      });
    }
    return { factor: view(factor), ...(recoveryCodes ? { recoveryCodes } : {}), ...(session ? { session } : {}) };
  });
  await deps.mailer?.flush();
  return out;
}

/** Removes an own factor; with the last one the recovery codes go too. */
export async function removeOwnFactor(
  deps: AuthDeps,
  p: Principal,
  factorId: string,
  input: { currentPassword?: string | undefined },
): Promise<void> {
  sessionOnly(p);
  const user = await ownUser(deps, p);
  await assertRecentSignIn(deps, p, user, input.currentPassword);
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const removed = await r.mfa.deleteFactor(user.tenantId, user.id, factorId);
    if (!removed) throw notFound('factor');
    const left = (await r.mfa.listFactors(user.tenantId, user.id)).filter((f) => f.confirmedAt);
    if (left.length === 0) await r.mfa.replaceRecoveryCodes(user.tenantId, user.id, [], [], now);
    await authAudit(r, p.ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'mfa.factor_removed',
      targetType: 'user',
      targetId: user.id,
      actor: p.ctx.actor,
      details: { kind: removed.kind, factorId, remaining: left.length },
    });
    if (user.email && removed.confirmedAt) {
      await queueMail(
        r,
        now,
        factorMail(user, `A second factor (${removed.kind}) was removed`, deps.settings.publicUrl),
      );
    }
  });
  await deps.mailer?.flush();
}

/** Ten new recovery codes; the old ones stop working. Needs a confirmed factor. */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  p: Principal,
  input: { currentPassword?: string | undefined },
): Promise<{ recoveryCodes: string[] }> {
  sessionOnly(p);
  const user = await ownUser(deps, p);
  await assertRecentSignIn(deps, p, user, input.currentPassword);
  const codes = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const confirmed = (await r.mfa.listFactors(user.tenantId, user.id)).filter((f) => f.confirmedAt);
    if (confirmed.length === 0) throw new AppError('auth.forbidden', 'Enrol a second factor first');
    const recoveryCodes = await newRecoveryCodes(deps, r, user, now);
    await authAudit(r, p.ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'mfa.recovery_codes_regenerated',
      targetType: 'user',
      targetId: user.id,
      actor: p.ctx.actor,
      details: { count: RECOVERY_CODE_COUNT },
    });
    if (user.email) await queueMail(r, now, factorMail(user, 'New recovery codes were made', deps.settings.publicUrl));
    return recoveryCodes;
  });
  await deps.mailer?.flush();
  return { recoveryCodes: codes };
}

export interface MyFactors {
  factors: FactorView[];
  recoveryCodesLeft: number;
  /** The policy of the acting tenant (with the home's) obliges this user to a second factor. */
  required: boolean;
}

export async function myFactors(deps: AuthDeps, p: Principal): Promise<MyFactors> {
  const { actor } = p.ctx;
  return deps.authStore.read(async (r) => {
    const policy = await policyForActing(r, actor.homeTenantId, actor.actingTenantId, deps.settings);
    return {
      factors: (await r.mfa.listFactors(actor.homeTenantId, actor.userId)).map(view),
      recoveryCodesLeft: await r.mfa.remainingRecoveryCodes(actor.homeTenantId, actor.userId),
      required: mfaRequired({ mfa: policy.mfa.value }, actor.isAdmin),
    };
  });
}
