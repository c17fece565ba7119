import { AppError } from '../../domain/errors.js';
import { checkPassword } from '../../domain/password-policy.js';
import type { Ctx, RequestMeta } from '../context.js';
import { changeOwnPassword } from '../manage-user.js';
import { findManagedUser } from '../user-access.js';
import { type AuthDeps, authAudit, type Principal, seconds } from './auth-deps.js';

export interface ResetIssued {
  userId: string;
  expiresAt: Date;
  /** `email`: the link went to the user's address. `link`: the user has none; hand it over. */
  delivery: 'email' | 'link';
  link?: string;
}

const invalidLink = () => new AppError('auth.token_invalid');

/**
 * An administrator (own users) or the supplier's sales (a direct customer's primary, R5) issues
 * a one-time, short-lived set-password link. The administrator never sees or picks a password;
 * a newer link voids older ones. The current password keeps working until the link is used.
 */
export async function issuePasswordReset(deps: AuthDeps, ctx: Ctx, userId: string): Promise<ResetIssued> {
  const secret = deps.tokens.randomToken();
  const issued = await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, ctx, userId, 'users.password.reset', {
      rank: 'password.reset',
    });
    const expiresAt = seconds(now, deps.settings.passwordLinkSeconds);
    await r.oneTimeTokens.voidForUser(user.id, 'password_set', now);
    await r.oneTimeTokens.insert({
      tokenHash: deps.tokens.hash(secret),
      purpose: 'password_set',
      userId: user.id,
      tenantId: user.tenantId,
      expiresAt,
      createdAt: now,
    });
    await authAudit(r, ctx.meta, now, {
      tenantId: user.tenantId,
      action: 'user.password_reset_issued',
      targetType: 'user',
      targetId: user.id,
      actor: ctx.actor,
      details: { expiresAt: expiresAt.toISOString(), delivery: user.email ? 'email' : 'link' },
    });
    return { user, expiresAt };
  });
  const link = `${deps.settings.publicUrl}/set-password#token=${secret}`;
  const { user, expiresAt } = issued;
  if (!user.email) return { userId: user.id, expiresAt, delivery: 'link', link };
  await deps.mail
    .send({ to: user.email, subject: 'Set your Kontor password', text: `Set your password: ${link}`, link })
    .catch((e) => deps.onError?.('password link mail failed', e));
  return { userId: user.id, expiresAt, delivery: 'email' };
}

/**
 * Redeems a set-password link. The policy is checked before the link is consumed (a weak
 * password does not burn it); consumption is one conditional UPDATE, so a link works once even
 * under racing requests. Every session of the user ends.
 */
export async function setPasswordWithToken(
  deps: AuthDeps,
  input: { token: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const tokenHash = deps.tokens.hash(input.token);
  const found = await deps.authStore.read(async (r) => {
    const t = await r.oneTimeTokens.peek(tokenHash, 'password_set', deps.clock.now());
    if (!t) return undefined;
    return { t, user: await r.users.findInTenant(t.tenantId, t.userId), tenant: await r.tenants.findById(t.tenantId) };
  });
  if (!found?.user || !found.tenant) throw invalidLink();
  const clean = checkPassword(input.newPassword, {
    tenantName: found.tenant.name,
    tenantSlug: found.tenant.slug,
    loginName: found.user.loginName,
  });
  const hash = await deps.hasher.hash(clean);
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const t = await r.oneTimeTokens.consume(tokenHash, 'password_set', now);
    if (!t) throw invalidLink();
    await r.users.setPassword(t.tenantId, t.userId, hash, false, now);
    await r.sessions.revokeAllForUser(t.userId, now);
    await authAudit(r, meta, now, {
      tenantId: t.tenantId,
      action: 'user.password_set',
      targetType: 'user',
      targetId: t.userId,
      actor: { userId: t.userId, actingTenantId: t.tenantId },
      details: { via: 'link' },
    });
  });
}

/**
 * R8 change of the own password (the app use case), then every other session of the user ends:
 * whoever knew the old password is out on the next request. The current session stays.
 */
export async function changePassword(
  deps: AuthDeps,
  p: Principal,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  await changeOwnPassword(deps, p.ctx, input);
  await deps.authStore.read((r) => r.sessions.revokeAllForUser(p.ctx.actor.userId, deps.clock.now(), p.sessionHash));
}
