import { notFound } from '../domain/errors.js';
import { roleAdvisories, shareAdvisories, type Warning } from '../domain/grant-rules.js';
import { type AppDeps, type Ctx, loadRoleMap, requirePermission } from './context.js';

export interface TenantAdvisory extends Warning {
  userId: string;
  loginName: string;
  shareId?: string;
}

/** The security view: every advisory that applies to the tenant's users and shares now. */
export async function tenantAdvisories(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<TenantAdvisory[]> {
  if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
  requirePermission(ctx.actor, 'advisories.read', deps.catalogue);
  return deps.store.read(async (repos) => {
    const tenant = await repos.tenants.findById(tenantId);
    if (!tenant) throw notFound('tenant');
    const roles = await loadRoleMap(repos);
    const out: TenantAdvisory[] = [];
    const now = deps.clock.now();
    let cursor: string | undefined;
    do {
      const page = await repos.users.list(tenantId, { limit: 200, ...(cursor ? { cursor } : {}) }, now);
      for (const u of page.items) {
        if (u.relation !== 'own') continue;
        const keys = await repos.roles.userRoles(tenantId, u.id);
        for (const w of roleAdvisories({ type: u.type, homeTenantKind: tenant.kind }, keys, roles)) {
          out.push({ ...w, userId: u.id, loginName: u.loginName });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    for (const s of await repos.shares.listForTenant(tenantId)) {
      if (s.status === 'ended') continue;
      const u = await repos.users.findInTenant(s.homeTenantId, s.userId);
      if (!u) continue;
      const keys = await repos.roles.userRoles(u.tenantId, u.id);
      for (const w of shareAdvisories({ type: u.type, roleKeys: keys }, roles)) {
        out.push({ ...w, userId: u.id, loginName: u.loginName, shareId: s.id });
      }
    }
    return out;
  });
}
