import { isAppError } from '../../domain/errors.js';
import { KONTOR_PERMISSIONS } from '../../domain/permissions.js';
import type { Repos } from '../../domain/ports.js';
import { type AppDeps, resolveActor } from '../context.js';

/** The claims an app may receive about a person acting for a tenant (per scope: see provider.ts). */
export interface OidcClaims {
  sub: string;
  name: string;
  email?: string;
  email_verified?: boolean;
  tenant: { id: string; slug: string; kind: string };
  home_tenant?: { id: string; slug: string };
  roles: string[];
  permissions: string[];
}

const KONTOR_OWN = new Set(KONTOR_PERMISSIONS.map((p) => p.key));

/**
 * The claims of a user acting for a tenant, read now (`cameFrom`: the tenant a person acting
 * through an SSO link came from, named as `home_tenant`); undefined when the user may not act there
 * now (locked, disabled, deleted, a suspended tenant, an ended share), exactly as Kontor's own
 * sign-in decides (resolveActor). So a refresh or a userinfo call of a person who lost access
 * fails even before the grant's tokens are deleted. The address counts only when verified.
 */
export async function oidcClaimsIn(
  r: Repos,
  deps: Pick<AppDeps, 'catalogue'>,
  userId: string,
  tenantId: string,
  now: Date,
  cameFrom: string | null = null,
): Promise<OidcClaims | undefined> {
  const seen = await r.users.findVisible(tenantId, userId, now);
  if (!seen) return undefined;
  const { user } = seen;
  let actor: Awaited<ReturnType<typeof resolveActor>>;
  try {
    actor = await resolveActor(
      r,
      deps.catalogue,
      { userId, homeTenantId: user.tenantId, actingTenantId: tenantId },
      now,
    );
  } catch (e) {
    if (isAppError(e) && e.code === 'auth.unauthenticated') return undefined;
    throw e;
  }
  const tenant = await r.tenants.findById(tenantId);
  // Through a share the user's own home; through an SSO link (the linked user lives here) the
  // tenant the person came from, recorded with the grant.
  const homeId = user.tenantId !== tenantId ? user.tenantId : (cameFrom ?? tenantId);
  const home = homeId === tenantId ? tenant : await r.tenants.findById(homeId);
  if (!tenant || !home) return undefined;
  const verified = user.email !== null && (await r.users.verifiedIds([user.id])).has(user.id);
  return {
    sub: user.id,
    name: user.displayName,
    ...(verified && user.email ? { email: user.email, email_verified: true } : {}),
    tenant: { id: tenant.id, slug: tenant.slug, kind: tenant.kind },
    ...(home.id !== tenant.id ? { home_tenant: { id: home.id, slug: home.slug } } : {}),
    roles: [...actor.roleKeys].sort(),
    // App permissions only: Kontor's own administration rights are no business of an app.
    permissions: [...actor.permissions].filter((p) => !KONTOR_OWN.has(p)).sort(),
  };
}

/** {@link oidcClaimsIn} in its own read. */
export function oidcClaims(
  deps: Pick<AppDeps, 'store' | 'catalogue' | 'clock'>,
  userId: string,
  tenantId: string,
  cameFrom: string | null = null,
): Promise<OidcClaims | undefined> {
  return deps.store.read((r) => oidcClaimsIn(r, deps, userId, tenantId, deps.clock.now(), cameFrom));
}
