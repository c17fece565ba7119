import { type AuditEvent, type ChainProblem, verifyChain } from '../domain/audit.js';
import type { AuditFilter, Repos } from '../domain/ports.js';
import { type AppDeps, type Ctx, requirePermission } from './context.js';
import { assertActingTenant } from './tenant-reach.js';

/** The acting tenant's activity log. Operation roles read only system events (R7). */
export async function readAudit(deps: AppDeps, ctx: Ctx, tenantId: string, filter: AuditFilter): Promise<AuditEvent[]> {
  await assertActingTenant(deps, ctx, tenantId);
  if (ctx.actor.permissions.has('audit.read')) {
    return deps.store.read((r) => r.audit.list(tenantId, filter));
  }
  requirePermission(ctx.actor, 'system.events.read', deps.catalogue);
  // System events: role definitions and other operator actions, stored with the root tenant.
  const events = await deps.store.read((r) => r.audit.list(tenantId, filter));
  return events.filter((e) => e.action.startsWith('system.'));
}

export interface ChainReport {
  tenantId: string;
  events: number;
  problems: ChainProblem[];
}

/** Recomputes a tenant's hash chain and names each changed, unlinked or missing event. */
export async function verifyAudit(
  repos: Pick<Repos, 'audit'>,
  tenantId: string,
  digest: (s: string) => string,
): Promise<ChainReport> {
  const { events, head } = await repos.audit.chain(tenantId);
  return { tenantId, events: events.length, problems: verifyChain(events, digest, head) };
}
