import type { Actor } from '../../domain/access.js';
import { DECISIONS_SCOPE } from '../../domain/apps.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { Repos } from '../../domain/ports.js';
import type { AuthDeps, Principal } from '../auth/auth-deps.js';
import { type RequestMeta, resolveActor } from '../context.js';

/** Verifies an access token of Kontor's own OP offline (signature, issuer, audience, expiry). */
export type OpTokenVerify = (jwt: string, now: Date) => Promise<Record<string, unknown>>;

/** A bearer value shaped like a JWS (three base64url parts): never one of Kontor's API tokens. */
export const looksLikeJwt = (bearer: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(bearer);

const refused = () => new AppError('auth.unauthenticated', 'The token is invalid or expired');

/**
 * The caller behind an access token of Kontor's own OP at the decision API (decision 0016).
 * The signature, issuer, audience and expiry are checked offline first; then, live, what an
 * offline check cannot see: the app is still registered, enabled and allowed `kontor.decisions`
 * and, for a user's token, she still holds the grant for that app in that tenant and may act
 * there now. So removing or disabling an app, ending the grant or locking the user stops its
 * tokens at once, before they expire.
 *
 * A client-credentials token speaks for the app: it acts in the app's owner tenant (the root
 * provider for the operator's apps) with `decisions.read` alone, and is answered for that
 * tenant's subtree like an API token there. A user's token acts as that user in the grant's
 * tenant, with her roles there.
 */
export async function opTokenPrincipal(
  deps: AuthDeps,
  verify: OpTokenVerify,
  bearer: string,
  meta: RequestMeta,
): Promise<Principal> {
  const now = deps.clock.now();
  const claims = await verify(bearer, now).catch(() => {
    throw refused();
  });
  const clientId = claims.client_id;
  const sub = claims.sub;
  if (typeof clientId !== 'string' || typeof sub !== 'string') throw refused();
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(DECISIONS_SCOPE)) {
    throw new AppError('auth.insufficient_scope', `The decision API needs a token with the scope ${DECISIONS_SCOPE}`);
  }
  const tenant = claims.tenant as { id?: unknown } | undefined;
  const forApp = sub === clientId && tenant === undefined;
  const actor = await deps.store.read(async (r) => {
    const app = await r.apps.findById(clientId);
    if (!app?.enabled || !app.scopes.includes(DECISIONS_SCOPE)) throw refused();
    if (forApp) {
      if (!app.grantTypes.includes('client_credentials')) throw refused();
      return appActor(r, clientId, app.tenantId);
    }
    if (typeof tenant?.id !== 'string') throw refused();
    return userActor(r, deps, sub, clientId, tenant.id, now);
  });
  return {
    kind: 'app',
    ctx: { actor, meta },
    app: { clientId, onBehalfOf: forApp ? 'app' : 'user' },
    mustChangePassword: false,
  };
}

/** The app itself: `decisions.read` in its owner tenant, nothing else (no roles, no administration). */
async function appActor(r: Repos, clientId: string, ownerTenantId: string | null): Promise<Actor> {
  const owner = ownerTenantId === null ? await r.tenants.findRoot() : await r.tenants.findById(ownerTenantId);
  if (owner?.status !== 'active') throw refused();
  return {
    userId: clientId,
    homeTenantId: owner.id,
    actingTenantId: owner.id,
    isRootUser: false,
    via: 'home',
    roleKeys: new Set(),
    permissions: new Set(['decisions.read']),
    isAdmin: false,
  };
}

async function userActor(
  r: Repos,
  deps: Pick<AuthDeps, 'catalogue'>,
  userId: string,
  clientId: string,
  tenantId: string,
  now: Date,
): Promise<Actor> {
  if (!(await r.oidc.hasLiveGrant(userId, clientId, tenantId, now))) throw refused();
  const seen = await r.users.findVisible(tenantId, userId, now);
  if (!seen) throw refused();
  try {
    return await resolveActor(
      r,
      deps.catalogue,
      { userId, homeTenantId: seen.user.tenantId, actingTenantId: tenantId },
      now,
    );
  } catch (e) {
    throw isAppError(e) && e.code === 'auth.unauthenticated' ? refused() : e;
  }
}
