import type { Actor } from '../../domain/access.js';
import type { AuthRepos, Session } from '../../domain/auth-ports.js';
import { AppError, isAppError, notFound } from '../../domain/errors.js';
import { hasSecondFactor } from '../../domain/mfa.js';
import { mfaRequired } from '../../domain/security-policy.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import { type RequestMeta, resolveActor, resolveActorFacts } from '../context.js';
import { policyForActing } from '../security-policy.js';
import { type AuthDeps, authAudit, csrfTokenFor, type Principal, seconds } from './auth-deps.js';
import { type SessionFacts, sessionKey, tokenKey } from './principal-cache.js';

/** A session's last-seen time is written at most this often (idle expiry has this slack). */
const TOUCH_EVERY_SECONDS = 15;
/** An API token's last use is written at most this often (it is shown to a minute). */
const MARK_USED_EVERY_SECONDS = 60;

const expired = () => new AppError('auth.unauthenticated', 'The session is no longer valid');
const invalidToken = () => new AppError('auth.unauthenticated', 'The token is invalid or expired');

const endOf = (...dates: (Date | null)[]): number =>
  Math.min(...dates.map((d) => (d === null ? Number.POSITIVE_INFINITY : d.getTime())));

/**
 * Resolves the caller of a request from a bearer token or a session cookie. The actor is built
 * from the stored user, roles, tenants and shares, so a lock, a role change, a suspension or an
 * ended share takes effect on the very next request; with a principal cache that holds because
 * the cached actor is used only while the decision version read for this request has not moved
 * (see PrincipalCache). A session that can no longer act is revoked, so unlocking later does
 * not revive it.
 */
export async function resolvePrincipal(
  deps: AuthDeps,
  creds: { sessionId?: string | undefined; bearer?: string | undefined },
  meta: RequestMeta,
): Promise<Principal | undefined> {
  if (creds.bearer === undefined && creds.sessionId === undefined) return undefined;
  const cache = deps.principals;
  // Read before the rows: an entry is tagged with a version no newer than what it was built from.
  const version = cache ? await cache.version() : undefined;
  const now = deps.clock.now();
  if (creds.bearer !== undefined) return tokenPrincipal(deps, creds.bearer, meta, now, version);
  return sessionPrincipal(deps, creds.sessionId as string, meta, now, version);
}

async function tokenPrincipal(
  deps: AuthDeps,
  bearer: string,
  meta: RequestMeta,
  now: Date,
  version: number | undefined,
): Promise<Principal> {
  const cache = deps.principals;
  const tokenHash = deps.tokens.hash(bearer);
  const key = tokenKey(tokenHash);
  const t = now.getTime();
  const hit = cache && version !== undefined ? cache.get(key, version, t) : undefined;
  if (hit?.tokenId) {
    if (t - hit.lastWritten >= MARK_USED_EVERY_SECONDS * 1000) {
      hit.lastWritten = t;
      await deps.authStore.read((r) => r.apiTokens.markUsed(hit.tokenId as string, now));
    }
    return {
      kind: 'token',
      ctx: { actor: hit.actor, meta },
      tokenId: hit.tokenId,
      mustChangePassword: hit.mustChangePassword,
      cacheKey: key,
      version: hit.version,
    };
  }
  const token = await deps.authStore.read((r) => r.apiTokens.findLive(tokenHash, now));
  if (!token) throw invalidToken();
  const resolved = await deps.authStore
    .read((r) => resolveActorFacts(r, deps.catalogue, token, now))
    .catch((e) => {
      throw isAppError(e) && e.code === 'auth.unauthenticated' ? invalidToken() : e;
    });
  await deps.authStore.read((r) => r.apiTokens.markUsed(token.id, now));
  if (cache && version !== undefined) {
    cache.set(key, {
      version,
      actor: resolved.actor,
      mustChangePassword: resolved.mustChangePassword,
      until: endOf(token.expiresAt, resolved.validUntil),
      lastSeen: t,
      lastWritten: t,
      tokenId: token.id,
    });
  }
  return {
    kind: 'token',
    ctx: { actor: resolved.actor, meta },
    tokenId: token.id,
    mustChangePassword: resolved.mustChangePassword,
    ...(version !== undefined ? { cacheKey: key, version } : {}),
  };
}

async function sessionPrincipal(
  deps: AuthDeps,
  sessionId: string,
  meta: RequestMeta,
  now: Date,
  version: number | undefined,
): Promise<Principal | undefined> {
  const cache = deps.principals;
  const idHash = deps.tokens.hash(sessionId);
  const key = sessionKey(idHash);
  const t = now.getTime();
  const idleMs = deps.settings.sessionIdleSeconds * 1000;
  const principal = (actor: Actor, mustChangePassword: boolean, f: SessionFacts): Principal => ({
    kind: 'session',
    ctx: { actor, meta },
    sessionHash: idHash,
    csrfToken: csrfTokenFor(deps, sessionId),
    mustChangePassword,
    amr: f.amr,
    authTime: f.authTime,
    mfaRestricted: f.mfaRestricted,
    ...(version !== undefined ? { cacheKey: key, version } : {}),
  });
  const hit = cache && version !== undefined ? cache.get(key, version, t) : undefined;
  // Idle past the limit here: ask the database, another instance may have seen the session.
  if (hit?.session && t - hit.lastSeen < Math.min(idleMs, hit.session.idleMs)) {
    hit.lastSeen = t;
    if (t - hit.lastWritten >= TOUCH_EVERY_SECONDS * 1000) {
      hit.lastWritten = t;
      await deps.authStore.read((r) => r.sessions.touch(idHash, now, seconds(now, -TOUCH_EVERY_SECONDS)));
    }
    return principal(hit.actor, hit.mustChangePassword, hit.session);
  }
  const idleSince = seconds(now, -deps.settings.sessionIdleSeconds);
  const session = await deps.authStore.read((r) => r.sessions.findLive(idHash, now, idleSince));
  if (!session) {
    cache?.drop(key);
    return undefined;
  }
  let resolved: Awaited<ReturnType<typeof resolveActorFacts>>;
  try {
    resolved = await deps.authStore.read((r) => resolveActorFacts(r, deps.catalogue, session, now));
  } catch (e) {
    if (isAppError(e) && e.code === 'auth.unauthenticated') {
      await deps.authStore.read((r) => r.sessions.revoke(idHash, now));
      throw expired();
    }
    throw e;
  }
  // The policy is read on every uncached request (a change bumps the decision version): a
  // tightening at any ancestor reaches this session on its next request, on every instance.
  const policy = await deps.authStore.read((r) =>
    policyForActing(r, session.homeTenantId, session.actingTenantId, deps.settings),
  );
  const facts: SessionFacts = {
    amr: session.amr,
    authTime: session.authTime,
    mfaRestricted: mfaRequired(
      { mfa: policy.mfa.value },
      resolved.actor.isAdmin || (await isAdminAtHome(deps, session, resolved.actor.isAdmin, now)),
    )
      ? !hasSecondFactor(session.amr)
      : false,
    idleMs: policy.sessionIdleSeconds.value * 1000,
  };
  // The policy's idle lifetime may be shorter than the installation's.
  if (t - session.lastSeenAt.getTime() >= facts.idleMs) {
    await deps.authStore.read((r) => r.sessions.revoke(idHash, now));
    cache?.drop(key);
    return undefined;
  }
  await deps.authStore.read((r) => r.sessions.touch(idHash, now, seconds(now, -TOUCH_EVERY_SECONDS)));
  if (cache && version !== undefined) {
    cache.set(key, {
      version,
      actor: resolved.actor,
      mustChangePassword: resolved.mustChangePassword,
      until: endOf(session.expiresAt, resolved.validUntil),
      lastSeen: t,
      lastWritten: t,
      session: facts,
    });
  }
  return principal(resolved.actor, resolved.mustChangePassword, facts);
}

/**
 * "Administrators" in a policy are users holding an administration role at home; acting in an
 * importing tenant with fewer roles does not make an administrator exempt there.
 */
async function isAdminAtHome(deps: AuthDeps, s: Session, actingIsAdmin: boolean, now: Date): Promise<boolean> {
  if (actingIsAdmin || s.actingTenantId === s.homeTenantId) return actingIsAdmin;
  const home = await deps.authStore.read((r) =>
    resolveActor(
      r,
      deps.catalogue,
      { userId: s.userId, homeTenantId: s.homeTenantId, actingTenantId: s.homeTenantId },
      now,
    ),
  );
  return home.isAdmin;
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
    /** How the user authenticated (default `["pwd"]`) and when (default now). */
    amr?: string[];
    authTime?: Date;
  },
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const now = deps.clock.now();
  if (s.previousSessionId) await r.sessions.revoke(deps.tokens.hash(s.previousSessionId), now);
  const sessionId = deps.tokens.randomToken();
  // The home's policy may shorten the session's absolute lifetime below the installation's.
  const policy = await policyForActing(r, s.tenant.id, s.tenant.id, deps.settings);
  const absolute = Math.min(deps.settings.sessionAbsoluteSeconds, policy.sessionAbsoluteSeconds.value);
  const fresh = seconds(now, absolute);
  const expiresAt = s.expiresAt && s.expiresAt < fresh ? s.expiresAt : fresh;
  const amr = s.amr ?? ['pwd'];
  await r.sessions.insert({
    idHash: deps.tokens.hash(sessionId),
    userId: s.user.id,
    homeTenantId: s.tenant.id,
    actingTenantId: s.tenant.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    amr,
    authTime: s.authTime ?? now,
  });
  await authAudit(r, meta, now, {
    tenantId: s.tenant.id,
    action: 'auth.login_succeeded',
    targetType: 'user',
    targetId: s.user.id,
    actor: { userId: s.user.id, actingTenantId: s.tenant.id },
    details: { ...s.details, amr },
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
  await assertMeetsPolicyThere(deps, p, tenantId);
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

/**
 * A shared user acting in another tenant meets the stricter of its home's and that tenant's
 * policy (issue 16 #4): a session without a second factor does not switch into a tenant whose
 * policy requires one of it (`mfa.required_here`), rather than arriving there held at enrolment.
 */
async function assertMeetsPolicyThere(deps: AuthDeps, p: Principal, tenantId: string): Promise<void> {
  if (hasSecondFactor(p.amr ?? [])) return;
  const { actor } = p.ctx;
  const now = deps.clock.now();
  const required = await deps.authStore.read(async (r) => {
    const policy = await policyForActing(r, actor.homeTenantId, tenantId, deps.settings);
    const there = await resolveActor(r, deps.catalogue, { ...actor, actingTenantId: tenantId }, now);
    const home = await resolveActor(r, deps.catalogue, { ...actor, actingTenantId: actor.homeTenantId }, now);
    return { policy, isAdmin: there.isAdmin || home.isAdmin };
  });
  if (mfaRequired({ mfa: required.policy.mfa.value }, required.isAdmin)) {
    throw new AppError('mfa.required_here', 'Sign in with your second factor to act for this tenant', {
      details: { tenantId, source: required.policy.mfa.source },
    });
  }
}
