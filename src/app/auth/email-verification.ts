import type { AuthRepos, MailMessage, TokenCrypto } from '../../domain/auth-ports.js';
import { AppError } from '../../domain/errors.js';
import type { Ctx, RequestMeta } from '../context.js';
import { invalid } from '../context.js';
import { isVerifyEmailRequest, queueEmailVerification } from '../email-verification.js';
import { findManagedUser } from '../user-access.js';
import { type AuthDeps, type AuthSettings, authAudit, seconds } from './auth-deps.js';

/** A verification link is good for three days: people read mail late, and it proves no more than receipt. */
export const EMAIL_LINK_SECONDS = 3 * 24 * 3600;

const noAddress = () => invalid([{ field: 'email', code: 'missing', message: 'The user has no e-mail address' }]);

/**
 * Turns an outbox row into the mail to send (the mail worker's `prepare`): a verification
 * request gets its link minted now — a newer link voids older ones — and is dropped when the
 * user is gone, its address changed since it was queued, or it is verified already. Any other row is mail already.
 */
export async function prepareMail(
  deps: { tokens: TokenCrypto; settings: Pick<AuthSettings, 'publicUrl'> },
  r: AuthRepos,
  payload: unknown,
  now: Date,
): Promise<MailMessage | undefined> {
  if (!isVerifyEmailRequest(payload)) return payload as MailMessage;
  const { tenantId, userId, email } = payload.verifyEmail;
  const user = await r.users.findInTenant(tenantId, userId);
  if (!user?.email || user.email.toLowerCase() !== email.toLowerCase()) return undefined;
  // Attested meanwhile (an administrator, a trusted SCIM client or import): nothing to confirm.
  if ((await r.users.verifiedIds([user.id])).has(user.id)) return undefined;
  const secret = deps.tokens.randomToken();
  await r.oneTimeTokens.voidForUser(userId, 'email_verify', now);
  await r.oneTimeTokens.insert({
    tokenHash: deps.tokens.hash(secret),
    purpose: 'email_verify',
    userId,
    tenantId,
    expiresAt: seconds(now, EMAIL_LINK_SECONDS),
    createdAt: now,
  });
  const link = `${deps.settings.publicUrl}/verify-email#token=${secret}`;
  return {
    to: user.email,
    subject: 'Confirm your e-mail address for Kontor',
    text: `Confirm that this address belongs to your Kontor account (${user.loginName}): ${link}\nIf you did not expect this, ignore this mail.`,
    link,
  };
}

/** Follows a verification link: the user's current address becomes verified (single use). */
export async function confirmEmail(deps: AuthDeps, input: { token: string }, meta: RequestMeta): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const t = await r.oneTimeTokens.consume(deps.tokens.hash(input.token), 'email_verify', now);
    const user = t && (await r.users.findInTenant(t.tenantId, t.userId));
    if (!t || !user?.email) throw new AppError('auth.token_invalid');
    await r.users.markEmailVerified(user.tenantId, user.id, user.email, now);
    await authAudit(r, meta, now, {
      tenantId: user.tenantId,
      action: 'user.email_verified',
      targetType: 'user',
      targetId: user.id,
      actor: { userId: user.id, actingTenantId: user.tenantId },
      details: { via: 'link' },
    });
  });
}

/**
 * Sends a (new) verification link to a user's address: an administrator for an own user or a
 * direct customer's primary, or the user for himself. Only the address's owner can use it, so
 * no rank applies; the permission is that of changing the user.
 */
export async function requestEmailVerification(deps: AuthDeps, ctx: Ctx, userId: string): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const user =
      userId === ctx.actor.userId && ctx.actor.actingTenantId === ctx.actor.homeTenantId
        ? await r.users.findInTenant(ctx.actor.homeTenantId, userId)
        : (await findManagedUser(r, deps, ctx, userId, 'users.update', { rank: false })).user;
    if (!user) throw new AppError('resource.not_found');
    // A link for a verified address proves nothing new (and would not be sent, see prepareMail).
    if (user.email && (await r.users.verifiedIds([user.id])).has(user.id)) {
      throw new AppError('resource.conflict', 'The address is verified already', {
        errors: [{ field: 'email', code: 'email.verified', message: 'The address is verified already' }],
      });
    }
    if (!(await queueEmailVerification(r, now, user))) throw noAddress();
    await authAudit(r, ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'user.email_verification_requested',
      targetType: 'user',
      targetId: user.id,
      actor: ctx.actor,
    });
  });
  await deps.mailer?.flush();
}

/**
 * An administrator with `users.email.attest` vouches for the address without a link (a person
 * known to him, an address from a trusted directory). It makes verified-email SSO linking match
 * the user, so whoever attests could route an IdP account to it: the rank rule applies.
 */
export async function attestEmail(deps: AuthDeps, ctx: Ctx, userId: string): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, ctx, userId, 'users.email.attest', { rank: 'email.attest' });
    if (!user.email) throw noAddress();
    await r.users.markEmailVerified(user.tenantId, user.id, user.email, now);
    await authAudit(r, ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'user.email_attested',
      targetType: 'user',
      targetId: user.id,
      actor: ctx.actor,
      details: { email: user.email },
    });
  });
}
