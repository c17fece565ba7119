import { notFound } from '../domain/errors.js';
import type { Repos } from '../domain/ports.js';
import {
  checkTightening,
  combinePolicies,
  defaultPolicy,
  type EffectivePolicy,
  effectivePolicy,
  type PolicySettings,
  type PolicyValues,
  validatePolicySettings,
} from '../domain/security-policy.js';
import { pathIds } from '../domain/tenant.js';
import { type AppDeps, audit, type Ctx, requirePermission } from './context.js';
import { assertActingTenant } from './tenant-reach.js';

/** The installation's session numbers, which the root inherits; AppDeps has none of its own. */
export interface PolicyDefaults {
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
}

/**
 * The effective policy of a tenant, read now: no cache, so a change at any ancestor applies to
 * the very next request below it, on every instance (the rows are read in the caller's
 * transaction or read).
 */
export async function policyOf(
  r: Pick<Repos, 'tenants' | 'policies'>,
  tenantId: string,
  defaults: PolicyDefaults,
): Promise<EffectivePolicy> {
  const t = await r.tenants.findById(tenantId);
  if (!t) throw notFound('tenant');
  const path = pathIds(t.path);
  return effectivePolicy(path, await r.policies.forTenants(path), defaultPolicy(defaults));
}

/** What a user acting in `actingTenantId` must meet: its home's policy, tightened by that tenant's. */
export async function policyForActing(
  r: Pick<Repos, 'tenants' | 'policies'>,
  homeTenantId: string,
  actingTenantId: string,
  defaults: PolicyDefaults,
): Promise<EffectivePolicy> {
  const home = await policyOf(r, homeTenantId, defaults);
  if (actingTenantId === homeTenantId) return home;
  return combinePolicies(home, await policyOf(r, actingTenantId, defaults));
}

// Password length does not depend on the session numbers.
const ANY_DEFAULTS: PolicyDefaults = { sessionIdleSeconds: 3600, sessionAbsoluteSeconds: 86400 };

/** The effective minimum password length of a tenant (never below 15). */
export async function minPasswordLength(r: Pick<Repos, 'tenants' | 'policies'>, tenantId: string): Promise<number> {
  return (await policyOf(r, tenantId, ANY_DEFAULTS)).minPasswordLength.value;
}

export interface SecurityPolicyView {
  tenantId: string;
  /** What this tenant sets itself; everything else is inherited. */
  own: PolicySettings;
  effective: EffectivePolicy;
  /** The parent's effective policy: the floor this tenant may not go below (absent at the root). */
  inherited?: EffectivePolicy;
}

async function view(r: Repos, tenantId: string, defaults: PolicyDefaults): Promise<SecurityPolicyView> {
  const t = await r.tenants.findById(tenantId);
  if (!t) throw notFound('tenant');
  const path = pathIds(t.path);
  const settings = await r.policies.forTenants(path);
  const base = defaultPolicy(defaults);
  return {
    tenantId,
    own: settings.get(tenantId) ?? {},
    effective: effectivePolicy(path, settings, base),
    ...(t.parentId ? { inherited: effectivePolicy(path.slice(0, -1), settings, base) } : {}),
  };
}

/** `GET /tenants/{id}/security-policy`: the acting tenant's, with `tenants.read`. */
export async function getSecurityPolicy(
  deps: AppDeps,
  ctx: Ctx,
  tenantId: string,
  defaults: PolicyDefaults,
): Promise<SecurityPolicyView> {
  await assertActingTenant(deps, ctx, tenantId);
  requirePermission(ctx.actor, 'tenants.read', deps.catalogue);
  return deps.store.read((r) => view(r, tenantId, defaults));
}

/**
 * `PUT /tenants/{id}/security-policy`: replaces the tenant's own settings (`tenants.update`, the
 * administrators' permission to change the tenant's settings). A value looser than the parent's
 * effective one is refused with `policy.looser_than_parent`. A parent changing concurrently
 * needs no lock here: the effective policy is computed on every read, so whichever of two
 * values is stricter wins, whatever order the commits take.
 */
export async function putSecurityPolicy(
  deps: AppDeps,
  ctx: Ctx,
  tenantId: string,
  input: Record<string, unknown>,
  defaults: PolicyDefaults,
): Promise<SecurityPolicyView> {
  await assertActingTenant(deps, ctx, tenantId);
  requirePermission(ctx.actor, 'tenants.update', deps.catalogue);
  const own = validatePolicySettings(input);
  return deps.store.transaction(async (r) => {
    const before = await view(r, tenantId, defaults);
    checkTightening(before.inherited, own);
    await r.policies.put(tenantId, own, deps.clock.now());
    await audit(r, ctx, deps.clock.now(), {
      tenantId,
      action: 'tenant.security_policy_changed',
      targetType: 'tenant',
      targetId: tenantId,
      details: { before: before.own, after: own },
    });
    return view(r, tenantId, defaults);
  });
}

export type { PolicyValues };
