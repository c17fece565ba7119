import type { Ctx } from '../context.js';
import { type AuthDeps, authAudit } from './auth-deps.js';

/**
 * Refusals written per actor and minute at most: a signed-in client that hammers a forbidden
 * route must not flood its tenant's activity log (the rest still reach the request log).
 */
export const REFUSAL_EVENTS_PER_MINUTE = 20;

export interface Refusal {
  code: string;
  method: string;
  /** The route pattern, never the concrete path or query. */
  route: string;
}

/**
 * A signed-in caller was refused (403: a missing permission, a grant rule, a wrong CSRF token):
 * `access.denied` in the log of the tenant it acted in (issue 20 #11). Its own transaction, since
 * the refused one rolled back. Returns whether it was written (false: over the per-minute budget).
 */
export async function auditRefusal(deps: AuthDeps, ctx: Ctx, r: Refusal): Promise<boolean> {
  const now = deps.clock.now();
  const n = await deps.authStore.read((x) => x.throttle.hit(`refusal-audit:${ctx.actor.userId}`, now, 60));
  if (n > REFUSAL_EVENTS_PER_MINUTE) return false;
  await deps.authStore.transaction((x) =>
    authAudit(x, ctx.meta, now, {
      tenantId: ctx.actor.actingTenantId,
      actor: ctx.actor,
      action: 'access.denied',
      targetType: 'route',
      targetId: `${r.method} ${r.route}`,
      details: { code: r.code, method: r.method, route: r.route },
    }),
  );
  return true;
}
