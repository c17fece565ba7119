import { AppError, notFound } from '../../domain/errors.js';
import type { SsoConnection, SsoRepos, SsoServices } from '../../domain/sso.js';
import { isAncestorOrSelf } from '../../domain/tenant.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import { type Ctx, requirePermission } from '../context.js';

export function ssoOf(deps: AuthDeps): SsoServices {
  if (!deps.sso) throw new AppError('sso.not_configured');
  return deps.sso;
}

/** Administration of SSO acts on the acting tenant only, with `sso.manage`. */
export function assertManages(deps: AuthDeps, ctx: Ctx, tenantId: string): void {
  if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
  requirePermission(ctx.actor, 'sso.manage', deps.catalogue);
}

/**
 * Whether `tenantId` may sign in through the connection: its own, or one an ancestor offers to
 * its subtree and this tenant enabled explicitly.
 */
export async function usableIn(r: SsoRepos, c: SsoConnection, tenantId: string): Promise<boolean> {
  if (c.tenantId === tenantId) return true;
  if (!c.offeredToSubtree) return false;
  const [owner, tenant] = [await r.tenants.findById(c.tenantId), await r.tenants.findById(tenantId)];
  if (!owner || !tenant || !isAncestorOrSelf(owner.path, tenant.path)) return false;
  return r.sso.isEnabledFor(tenantId, c.id);
}

/** The public view of a connection: what the API returns. Never the secret, sealed or not. */
export const connectionView = (c: SsoConnection, publicUrl: string) => ({
  ...c,
  redirectUri: `${publicUrl}/api/v1/auth/sso/${c.id}/callback`,
});
