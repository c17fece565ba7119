import type { Actor } from '../../domain/access.js';
import type { AuthRepos } from '../../domain/auth-ports.js';
import { AppError, isAppError, notFound } from '../../domain/errors.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import { type RequestMeta, resolveActor, resolveActorFacts } from '../context.js';
import { type AuthDeps, authAudit, csrfTokenFor, type Principal, seconds } from './auth-deps.js';

/** A session's last-seen time is written at most this often (idle expiry has this slack). */
const TOUCH_EVERY_SECONDS = 15;

const expired = () => new AppError('auth.unauthenticated', 'The session is no longer valid');

async function actorAndFlag(
  r: AuthRepos,
  deps: AuthDeps,
  ids: { userId: string; homeTenantId: string; actingTenantId: string },
  now: Date,
) {
  return resolveActorFacts(r, deps.catalogue, ids, now);
}

/**
 * Resolves the caller of a request from a bearer token or a session cookie. The actor is
 * rebuilt on every request from the stored user, roles, tenants and shares, so a lock, a role
 * change, a suspension or an ended share takes effect on the very next request. A session that
 * can no longer act is revoked, so unlocking later does not revive it.
 */
export async function resolvePrincipal(
  deps: AuthDeps,
  creds: { sessionId?: string | undefined; bearer?: string | undefined },
  meta: RequestMeta,
): Promise<Principal | undefined> {
  const now = deps.clock.now();
  if (creds.bearer !== undefined) {
    const token = await deps.authStore.read((r) => r.apiTokens.findLive(deps.tokens.hash(creds.bearer as string), now));
    if (!token) throw new AppError('auth.unauthenticated', 'The token is invalid or expired');
    const resolved = await deps.authStore
      .read((r) => actorAndFlag(r, deps, token, now))
      .catch((e) => {
        throw isAppError(e) && e.code === 'auth.unauthenticated'
          ? new AppError('auth.unauthenticated', 'The token is invalid or expired')
          : e;
      });
    await deps.authStore.read((r) => r.apiTokens.markUsed(token.id, now));
    return {
      kind: 'token',
      ctx: { actor: resolved.actor, meta },
      tokenId: token.id,
      mustChangePassword: resolved.mustChangePassword,
    };
  }
  if (creds.sessionId === undefined) return undefined;
  const idHash = deps.tokens.hash(creds.sessionId);
  const idleSince = seconds(now, -deps.settings.sessionIdleSeconds);
  const session = await deps.authStore.read((r) => r.sessions.findLive(idHash, now, idleSince));
  if (!session) return undefined;
  let resolved: { actor: Actor; mustChangePassword: boolean };
  try {
    resolved = await deps.authStore.read((r) => actorAndFlag(r, deps, session, now));
  } catch (e) {
    if (isAppError(e) && e.code === 'auth.unauthenticated') {
      await deps.authStore.read((r) => r.sessions.revoke(idHash, now));
      throw expired();
    }
    throw e;
  }
  await deps.authStore.read((r) => r.sessions.touch(idHash, now, seconds(now, -TOUCH_EVERY_SECONDS)));
  return {
    kind: 'session',
    ctx: { actor: resolved.actor, meta },
    sessionHash: idHash,
    csrfToken: csrfTokenFor(deps, creds.sessionId),
    mustChangePassword: resolved.mustChangePassword,
  };
}

/** A new server-side session, as local and SSO sign-in create it; inside the caller's transaction. */
export async function openSession(
  r: AuthRepos,
  deps: AuthDeps,
  meta: RequestMeta,
  s: {
    user: User;
    tenant: Tenant;
    /** The cookie the client sent: revoked, because the id rotates at sign-in. */
    previousSessionId?: string | undefined;
    /** Default: the configured absolute lifetime; an MSP switch keeps the original end. */
    expiresAt?: Date;
    details: Record<string, unknown>;
  },
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const now = deps.clock.now();
  if (s.previousSessionId) await r.sessions.revoke(deps.tokens.hash(s.previousSessionId), now);
  const sessionId = deps.tokens.randomToken();
  const expiresAt = s.expiresAt ?? seconds(now, deps.settings.sessionAbsoluteSeconds);
  await r.sessions.insert({
    idHash: deps.tokens.hash(sessionId),
    userId: s.user.id,
    homeTenantId: s.tenant.id,
    actingTenantId: s.tenant.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  await authAudit(r, meta, now, {
    tenantId: s.tenant.id,
    action: 'auth.login_succeeded',
    targetType: 'user',
    targetId: s.user.id,
    actor: { userId: s.user.id, actingTenantId: s.tenant.id },
    details: s.details,
  });
  return { sessionId, csrfToken: csrfTokenFor(deps, sessionId), expiresAt };
}

export async function logout(deps: AuthDeps, p: Principal): Promise<void> {
  if (p.kind !== 'session' || !p.sessionHash) return;
  const { actor } = p.ctx;
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    await r.sessions.revoke(p.sessionHash as string, now);
    await authAudit(r, p.ctx.meta, now, {
      tenantId: actor.homeTenantId,
      action: 'auth.logout',
      targetType: 'user',
      targetId: actor.userId,
      actor,
    });
  });
}

/** Checks that the user may act for `tenantId` now (home or effective imported share). */
export async function assertMayActFor(deps: AuthDeps, actor: Actor, tenantId: string): Promise<void> {
  const ids = { userId: actor.userId, homeTenantId: actor.homeTenantId, actingTenantId: tenantId };
  await deps.authStore
    .read((r) => resolveActor(r, deps.catalogue, ids, deps.clock.now()))
    .catch((e) => {
      throw isAppError(e) && e.code === 'auth.unauthenticated' ? notFound('tenant') : e;
    });
}

/** Switches the session's acting tenant; an API token's tenant is fixed when it is created. */
export async function switchActingTenant(deps: AuthDeps, p: Principal, tenantId: string): Promise<void> {
  if (p.kind !== 'session' || !p.sessionHash) {
    throw new AppError('auth.forbidden', 'An API token acts for the tenant it was created for');
  }
  const { actor } = p.ctx;
  await assertMayActFor(deps, actor, tenantId);
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    await r.sessions.setActingTenant(p.sessionHash as string, tenantId);
    await authAudit(r, p.ctx.meta, now, {
      tenantId: actor.homeTenantId,
      action: 'auth.acting_tenant_switched',
      targetType: 'tenant',
      targetId: tenantId,
      actor,
      details: { from: actor.actingTenantId, to: tenantId },
    });
  });
}
