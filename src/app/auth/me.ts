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
  /** Sessions: how and when the user signed in (issue 16), and whether only enrolment is open. */
  authentication?: { amr: string[]; authTime: Date; mfaEnrolmentRequired: boolean };
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
  const now = deps.clock.now();
  const csrf = {
    ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
    ...(p.amr && p.authTime
      ? { authentication: { amr: p.amr, authTime: p.authTime, mfaEnrolmentRequired: p.mfaRestricted === true } }
      : {}),
  };
  // Cached with the principal: the same decision version covers every row this view shows.
  const entry =
    deps.principals && p.cacheKey && p.version !== undefined
      ? deps.principals.get(p.cacheKey, p.version, now.getTime())
      : undefined;
  if (entry?.me && now.getTime() < entry.me.until) return { ...(entry.me.view as MeView), ...csrf };
  const { view, until } = await readMe(deps, p, now);
  if (entry) entry.me = { view, until };
  return { ...view, ...csrf };
}

async function readMe(deps: AuthDeps, p: Principal, now: Date): Promise<{ view: MeView; until: number }> {
  const { actor } = p.ctx;
  return deps.authStore.read(async (r) => {
    const user = await r.users.findInTenant(actor.homeTenantId, actor.userId);
    const home = await r.tenants.findById(actor.homeTenantId);
    const acting = await r.tenants.findById(actor.actingTenantId);
    if (!user || !home || !acting) throw new AppError('auth.unauthenticated');
    const tenants = [brief(home, 'home')];
    // The list changes by itself when a listed share runs out.
    let until = Number.POSITIVE_INFINITY;
    for (const s of await r.shares.effectiveForUser(user.id, now)) {
      const t = await r.tenants.findById(s.targetTenantId);
      if (t && t.status === 'active' && shareIsEffective(s, now)) {
        tenants.push(brief(t, 'shared'));
        if (s.expiresAt) until = Math.min(until, s.expiresAt.getTime());
      }
    }
    for (const l of await linkedTenants(deps, p)) {
      if (!tenants.some((t) => t.id === l.tenant.id)) tenants.push(brief(l.tenant, 'sso'));
    }
    const view: MeView = {
      user: { ...user, roles: [...actor.roleKeys].sort() },
      actingTenant: acting,
      permissions: [...actor.permissions].sort(),
      tenants,
      // An OP access token never reaches /me (the decision API only): it would count as a token.
      auth: p.kind === 'app' ? 'token' : p.kind,
    };
    return { view, until };
  });
}
