import { describe, expect, it } from 'vitest';
import { compileUser, decide, PermissionIndex, type UserFacts } from './decision.js';
import { PermissionCatalogue } from './permissions.js';
import type { Role } from './role.js';

const catalogue = new PermissionCatalogue([{ key: 'orders.read', scope: 'tenant', description: '', source: 'app' }]);
const index = new PermissionIndex(catalogue);
const role = (key: string, category: Role['category'], permissions: string[]): Role => ({
  key,
  name: key,
  category,
  description: '',
  permissions,
});
const roles = new Map(
  [
    role('Buyer', 'business', ['orders.read', 'removed.permission']),
    role('Sales', 'business', ['customers.read']),
    role('Ops', 'operation', ['system.health.read', 'users.read']),
  ].map((r) => [r.key, r]),
);
const facts = (over: Partial<UserFacts> = {}): UserFacts => ({
  userId: 'u',
  homeTenantId: 'home',
  state: 'active',
  homeKind: 'reseller',
  homeStatus: 'active',
  roleKeys: ['Buyer'],
  shares: [],
  ...over,
});
const NOW = 1_000_000;
const at = (
  access: Map<string, ReturnType<typeof compileUser> extends Map<string, infer A> ? A : never>,
  t: string,
  p: string,
  parent?: string,
) => decide(access.get(t), parent ? access.get(parent) : undefined, index.bitOf(p), index, () => NOW);

describe('decide', () => {
  it('allows what the roles grant in the home tenant and names what is missing', () => {
    const a = compileUser(facts(), roles, index);
    expect(at(a, 'home', 'orders.read')).toEqual({ allowed: true });
    expect(at(a, 'home', 'users.read')).toEqual({ allowed: false, reason: 'not_granted' });
    expect(at(a, 'elsewhere', 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(at(a, 'home', 'removed.permission')).toEqual({ allowed: false, reason: 'permission_unknown' });
  });

  it('lets a locked user, or one of a suspended home, act nowhere', () => {
    expect(compileUser(facts({ state: 'locked' }), roles, index).size).toBe(0);
    expect(compileUser(facts({ homeStatus: 'suspended' }), roles, index).size).toBe(0);
  });

  it('counts system permissions only for root users and tenant permissions never from operation roles (R7)', () => {
    const reseller = compileUser(facts({ roleKeys: ['Ops'] }), roles, index);
    const root = compileUser(facts({ roleKeys: ['Ops'], homeKind: 'provider' }), roles, index);
    expect(at(reseller, 'home', 'system.health.read').allowed).toBe(false);
    expect(at(root, 'home', 'system.health.read').allowed).toBe(true);
    expect(at(root, 'home', 'users.read').allowed).toBe(false);
  });

  it('bounds the roles in an importing tenant by the accepted set (decision 0007)', () => {
    const a = compileUser(
      facts({
        roleKeys: ['Buyer', 'Ops'],
        shares: [
          {
            targetTenantId: 'narrow',
            targetStatus: 'active',
            status: 'active',
            expiresAt: null,
            acceptedRoles: ['Ops'],
          },
          { targetTenantId: 'none', targetStatus: 'active', status: 'active', expiresAt: null, acceptedRoles: null },
        ],
      }),
      roles,
      index,
    );
    expect(at(a, 'home', 'orders.read').allowed).toBe(true);
    expect(at(a, 'narrow', 'orders.read')).toEqual({ allowed: false, reason: 'not_granted' });
    expect(at(a, 'none', 'orders.read')).toEqual({ allowed: false, reason: 'not_granted' });
  });

  it('follows only accepted shares into active tenants, until they expire', () => {
    const a = compileUser(
      facts({
        shares: [
          {
            targetTenantId: 'open',
            targetStatus: 'active',
            status: 'active',
            expiresAt: new Date(NOW + 1),
            acceptedRoles: ['Buyer'],
          },
          {
            targetTenantId: 'past',
            targetStatus: 'active',
            status: 'active',
            expiresAt: new Date(NOW),
            acceptedRoles: ['Buyer'],
          },
          {
            targetTenantId: 'offered',
            targetStatus: 'active',
            status: 'offered',
            expiresAt: null,
            acceptedRoles: ['Buyer'],
          },
          {
            targetTenantId: 'closed',
            targetStatus: 'suspended',
            status: 'active',
            expiresAt: null,
            acceptedRoles: ['Buyer'],
          },
        ],
      }),
      roles,
      index,
    );
    expect(at(a, 'open', 'orders.read').allowed).toBe(true);
    expect(at(a, 'past', 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(at(a, 'offered', 'orders.read').allowed).toBe(false);
    expect(at(a, 'closed', 'orders.read').allowed).toBe(false);
  });

  it('grants customers.* through the parent, and nothing else through it', () => {
    const a = compileUser(facts({ roleKeys: ['Sales', 'Buyer'] }), roles, index);
    expect(at(a, 'child', 'customers.read', 'home')).toEqual({ allowed: true });
    expect(at(a, 'child', 'orders.read', 'home')).toEqual({ allowed: false, reason: 'no_access' });
  });
});
