import { createMongoAbility, type MongoAbility, subject } from '@casl/ability';
import { newEnforcer, newModelFromString } from 'casbin';
import type { Scenario } from './scenario.js';

/** user → tenant → permissions, computed independently of Kontor's engine (the cross-check's point). */
export type Grants = Map<string, Map<string, Set<string>>>;

/**
 * The rules of DESIGN §1 written plainly: an active user of an active home acts there and in the
 * active targets of its accepted shares, with its roles' permissions (`system` ones only for the
 * root's users, none of an operation role's `tenant` ones); `customers.*` also holds on each
 * direct child of a tenant it acts in.
 */
export function effectiveGrants(s: Scenario): Grants {
  const children = new Map<string, string[]>();
  for (const t of s.tenants) if (t.parentId) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
  const roles = new Map(s.roles.map((r) => [r.key, r]));
  const out: Grants = new Map();
  for (const u of s.users) {
    if (u.state !== 'active' || u.homeStatus !== 'active') continue;
    const perms = new Set<string>();
    for (const key of u.roleKeys) {
      const role = roles.get(key);
      for (const p of role?.permissions ?? []) {
        const scope = s.catalogue.get(p)?.scope;
        if (scope === 'system' ? u.homeKind === 'provider' : scope === 'tenant' && role?.category !== 'operation') {
          perms.add(p);
        }
      }
    }
    const acting = [
      u.homeTenantId,
      ...u.shares.filter((x) => x.status === 'active' && x.targetStatus === 'active').map((x) => x.targetTenantId),
    ];
    const byTenant = new Map<string, Set<string>>();
    const add = (t: string, ps: Iterable<string>) => {
      const set = byTenant.get(t) ?? new Set<string>();
      for (const p of ps) set.add(p);
      byTenant.set(t, set);
    };
    const customers = [...perms].filter((p) => p.startsWith('customers.'));
    for (const t of acting) {
      add(t, perms);
      if (customers.length > 0) for (const c of children.get(t) ?? []) add(c, customers);
    }
    out.set(u.userId, byTenant);
  }
  return out;
}

/** The naive baseline: every (user, tenant) precomputed into a Map keyed by a joined string. */
export function naiveMap(grants: Grants): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [u, byTenant] of grants) for (const [t, ps] of byTenant) m.set(`${u}|${t}`, ps);
  return m;
}

const CASBIN_MODEL = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, obj

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.obj == p.obj
`;

/**
 * casbin, RBAC with domains: users hold roles per tenant (domain); a role holds permissions.
 * Rules casbin cannot express are folded into role variants: `R#root` (with the system
 * permissions, for the root's users) and `R#child` (only `customers.*`, on direct children).
 */
export async function casbinEnforcer(s: Scenario) {
  const e = await newEnforcer(newModelFromString(CASBIN_MODEL));
  const p: string[][] = [];
  for (const r of s.roles) {
    for (const perm of r.permissions) {
      const scope = s.catalogue.get(perm)?.scope;
      if (scope === 'tenant' && r.category !== 'operation') {
        p.push([r.key, perm], [`${r.key}#root`, perm]);
        if (perm.startsWith('customers.')) p.push([`${r.key}#child`, perm], [`${r.key}#root#child`, perm]);
      }
      if (scope === 'system') p.push([`${r.key}#root`, perm]);
    }
  }
  await e.addPolicies(p);
  const children = new Map<string, string[]>();
  for (const t of s.tenants) if (t.parentId) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t.id]);
  const g: string[][] = [];
  for (const u of s.users) {
    if (u.state !== 'active' || u.homeStatus !== 'active') continue;
    const acting = [
      u.homeTenantId,
      ...u.shares.filter((x) => x.status === 'active' && x.targetStatus === 'active').map((x) => x.targetTenantId),
    ];
    const suffix = u.homeKind === 'provider' ? '#root' : '';
    for (const t of acting) {
      for (const r of u.roleKeys) {
        g.push([u.userId, `${r}${suffix}`, t]);
        for (const c of children.get(t) ?? []) g.push([u.userId, `${r}${suffix}#child`, c]);
      }
    }
  }
  await e.addGroupingPolicies(g);
  return e;
}

/** CASL: one ability per user, one rule per permission naming the tenants where it holds. */
export function caslAbilities(grants: Grants): Map<string, MongoAbility> {
  const out = new Map<string, MongoAbility>();
  for (const [u, byTenant] of grants) {
    const tenantsOf = new Map<string, string[]>();
    for (const [t, ps] of byTenant) for (const p of ps) tenantsOf.set(p, [...(tenantsOf.get(p) ?? []), t]);
    out.set(
      u,
      createMongoAbility(
        [...tenantsOf].map(([action, ids]) => ({ action, subject: 'Tenant', conditions: { id: { $in: ids } } })),
      ),
    );
  }
  return out;
}

export const caslCan = (abilities: Map<string, MongoAbility>, u: string, t: string, p: string): boolean =>
  abilities.get(u)?.can(p, subject('Tenant', { id: t })) ?? false;
