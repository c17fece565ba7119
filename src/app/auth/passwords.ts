import { AppError } from '../../domain/errors.js';
import { evaluateOwnPasswordChange } from '../../domain/grant-rules.js';
import { checkPassword } from '../../domain/password-policy.js';
import { Checker } from '../../domain/validation.js';
import { assertNoErrors, audit, type Ctx, type RequestMeta } from '../context.js';
import { queueMail } from '../mail-outbox.js';
import { minPasswordLength } from '../security-policy.js';
import { findManagedUser } from '../user-access.js';
import { type AuthDeps, authAudit, type Principal, seconds } from './auth-deps.js';
import { verifyCurrentPassword } from './current-password.js';

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
  const link = `${deps.settings.publicUrl}/set-password#token=${secret}`;
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
    if (user.email) {
      await queueMail(r, now, {
        to: user.email,
        subject: 'Set your Kontor password',
        text: `Set your password: ${link}`,
        link,
      });
    }
    return { user, expiresAt };
  });
  const { user, expiresAt } = issued;
  if (!user.email) return { userId: user.id, expiresAt, delivery: 'link', link };
  await deps.mailer?.flush();
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
    return {
      t,
      user: await r.users.findInTenant(t.tenantId, t.userId),
      tenant: await r.tenants.findById(t.tenantId),
      minLength: await minPasswordLength(r, t.tenantId).catch(() => undefined),
    };
  });
  if (!found?.user || !found.tenant) throw invalidLink();
  const clean = checkPassword(input.newPassword, {
    tenantName: found.tenant.name,
    tenantSlug: found.tenant.slug,
    loginName: found.user.loginName,
    ...(found.minLength ? { minLength: found.minLength } : {}),
  });
  const hash = await deps.hasher.hash(clean);
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const t = await r.oneTimeTokens.consume(tokenHash, 'password_set', now);
    if (!t) throw invalidLink();
    // Ends every session and API token of the user too (UserRepo.setPassword).
    await r.users.setPassword(t.tenantId, t.userId, hash, false, now);
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
 * R8: a user changes his own password with the current one; the policy applies. Every session
 * and API token of the user ends with it, but `keepSessionHash`: the session that proved the
 * current password just now stays, so the user is not signed out by his own change.
 */
export async function changeOwnPassword(
  deps: AuthDeps,
  ctx: Ctx,
  input: { currentPassword: unknown; newPassword: unknown; keepSessionHash?: string },
): Promise<void> {
  const c = new Checker();
  const current = c.string('currentPassword', input.currentPassword, { max: 1024 });
  const next = c.string('newPassword', input.newPassword, { max: 1024 });
  assertNoErrors(c.errors);
  const { actor } = ctx;
  const loaded = await deps.store.read(async (repos) => ({
    user: await repos.users.findInTenant(actor.homeTenantId, actor.userId),
    hash: await repos.users.passwordHash(actor.homeTenantId, actor.userId),
    tenant: await repos.tenants.findById(actor.homeTenantId),
    minLength: await minPasswordLength(repos, actor.homeTenantId).catch(() => undefined),
  }));
  if (!loaded.user || !loaded.tenant) throw new AppError('auth.unauthenticated');
  const d = evaluateOwnPasswordChange(actor, loaded.user.mustChangePassword);
  if (!d.allowed) throw new AppError(d.reason);
  const currentHash = await verifyCurrentPassword(deps, ctx, {
    tenantId: actor.homeTenantId,
    userId: actor.userId,
    hash: loaded.hash ?? null,
    password: current as string,
  });
  const clean = checkPassword(next as string, {
    tenantName: loaded.tenant.name,
    tenantSlug: loaded.tenant.slug,
    loginName: loaded.user.loginName,
    ...(loaded.minLength ? { minLength: loaded.minLength } : {}),
  });
  // The current hash is the one-time password during a forced change: keeping it is no change.
  if (await deps.hasher.verify(currentHash, clean)) {
    throw new AppError('password.reused', 'The new password must differ from the current one', {
      errors: [{ field: 'newPassword', code: 'password.reused', message: 'Same as the current password' }],
    });
  }
  const hash = await deps.hasher.hash(clean);
  await deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    await repos.users.setPassword(actor.homeTenantId, actor.userId, hash, false, now, input.keepSessionHash);
    await audit(repos, ctx, now, {
      tenantId: actor.homeTenantId,
      action: 'user.password_changed',
      targetType: 'user',
      targetId: actor.userId,
    });
  });
}

/** The HTTP side of {@link changeOwnPassword}: the session making the change stays signed in. */
export async function changePassword(
  deps: AuthDeps,
  p: Principal,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  await changeOwnPassword(deps, p.ctx, { ...input, keepSessionHash: p.sessionHash });
}
