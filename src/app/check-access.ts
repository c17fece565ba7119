import { type Decision, NO_ACCESS, PERMISSION_UNKNOWN } from '../domain/decision.js';
import { isAncestorOrSelf } from '../domain/tenant.js';
import { type AppDeps, type Ctx, requirePermission } from './context.js';
import type { DecisionEngine, DecisionQuery } from './decisions.js';

/** The most queries one batch may carry. */
export const MAX_CHECK_BATCH = 1000;

function engineOf(deps: AppDeps): DecisionEngine {
  if (!deps.decisions) throw new Error('The decision engine is not wired (see compose.ts)');
  return deps.decisions;
}

/**
 * Decisions for apps. The caller needs `decisions.read` in its acting tenant and is answered only
 * for that tenant and its subtree (the tenants its line may manage); any other tenant answers
 * exactly like a tenant that does not exist, so the endpoint cannot probe the rest of the tree.
 * Users are not limited: a user of another line acting in the subtree through a share is
 * answered, since the share is what the subtree's apps must honour.
 */
export async function checkAccess(deps: AppDeps, ctx: Ctx, queries: readonly DecisionQuery[]): Promise<Decision[]> {
  requirePermission(ctx.actor, 'decisions.read', deps.catalogue);
  const engine = engineOf(deps);
  const scope = await engine.tenantPlace(ctx.actor.actingTenantId);
  const inScope = new Map<string, boolean>();
  for (const q of queries) {
    if (inScope.has(q.tenantId)) continue;
    const place = scope ? await engine.tenantPlace(q.tenantId) : undefined;
    inScope.set(q.tenantId, scope !== undefined && place !== undefined && isAncestorOrSelf(scope.path, place.path));
  }
  const asked = queries.filter((q) => inScope.get(q.tenantId));
  const answers = await engine.decideMany(asked);
  let next = 0;
  return queries.map((q) => {
    if (inScope.get(q.tenantId)) return answers[next++] as Decision;
    return engine.knowsPermission(q.permission) ? NO_ACCESS : PERMISSION_UNKNOWN;
  });
}
