import { AppError, notFound } from '../domain/errors.js';
import { isAncestorOrSelf } from '../domain/tenant.js';
import type { AppDeps, Ctx } from './context.js';

/**
 * Tenant-scoped routes work on the acting tenant only. Another tenant answers 404 as if it did not
 * exist — unless the caller can see it in its own subtree (`customers.read` lists it in
 * `GET /tenants/{acting}/subtree`): there its existence is no secret, so the answer says why
 * (403 `tenant.outside_reach`, issue 14 #8) instead of a misleading "does not exist".
 */
export async function assertActingTenant(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<void> {
  if (tenantId === ctx.actor.actingTenantId) return;
  if (!ctx.actor.permissions.has('customers.read')) throw notFound('tenant');
  const visible = await deps.store.read(async (r) => {
    const [acting, other] = [await r.tenants.findById(ctx.actor.actingTenantId), await r.tenants.findById(tenantId)];
    return acting !== undefined && other !== undefined && isAncestorOrSelf(acting.path, other.path);
  });
  if (!visible) throw notFound('tenant');
  throw new AppError(
    'tenant.outside_reach',
    'This tenant is in your subtree, but this works only in the tenant you act in; act in it (or its parent) instead',
    { details: { tenantId, actingTenantId: ctx.actor.actingTenantId } },
  );
}
