import { AppError } from '../../domain/errors.js';
import { shareIsEffective } from '../../domain/share.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import { linkedTenants } from '../sso/msp.js';
import type { AuthDeps, Principal } from './auth-deps.js';

export interface MeTenant {
  id: string;
  name: string;
  slug: string;
  kind: Tenant['kind'];
  /** `sso`: a tenant where the same external identity is linked (switch via /auth/sso/switch). */
  relation: 'home' | 'shared' | 'sso';
}

export interface MeView {
  user: User & { roles: string[] };
  actingTenant: Tenant;
  permissions: string[];
  tenants: MeTenant[];
  auth: 'session' | 'token';
  csrfToken?: string;
}

const brief = (t: Tenant, relation: MeTenant['relation']): MeTenant => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  kind: t.kind,
  relation,
});

/** Who is signed in, for which tenant, with which permissions, and where else it may act. */
export async function me(deps: AuthDeps, p: Principal): Promise<MeView> {
  const { actor } = p.ctx;
  return deps.authStore.read(async (r) => {
    const now = deps.clock.now();
    const user = await r.users.findInTenant(actor.homeTenantId, actor.userId);
    const home = await r.tenants.findById(actor.homeTenantId);
    const acting = await r.tenants.findById(actor.actingTenantId);
    if (!user || !home || !acting) throw new AppError('auth.unauthenticated');
    const tenants = [brief(home, 'home')];
    for (const s of await r.shares.effectiveForUser(user.id, now)) {
      const t = await r.tenants.findById(s.targetTenantId);
      if (t && t.status === 'active' && shareIsEffective(s, now)) tenants.push(brief(t, 'shared'));
    }
    for (const l of await linkedTenants(deps, p)) {
      if (!tenants.some((t) => t.id === l.tenant.id)) tenants.push(brief(l.tenant, 'sso'));
    }
    return {
      user: { ...user, roles: [...actor.roleKeys].sort() },
      actingTenant: acting,
      permissions: [...actor.permissions].sort(),
      tenants,
      auth: p.kind,
      ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
    };
  });
}
