import { notFound } from '../../domain/errors.js';
import type { Tenant } from '../../domain/tenant.js';
import type { AppDeps, Ctx } from '../context.js';

/**
 * The tenant a SCIM request addresses: it must be the token's acting tenant. Another slug
 * answers exactly like an unknown one, and no lookup by slug happens, so a token learns nothing
 * about other tenants, not even whether they exist.
 */
export async function scimTenant(deps: AppDeps, ctx: Ctx, slug: string): Promise<Tenant> {
  const tenant = await deps.store.read((r) => r.tenants.findById(ctx.actor.actingTenantId));
  if (!tenant || tenant.slug !== slug) throw notFound('tenant');
  return tenant;
}
