import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveActor } from '../../../src/app/context.js';
import type { ShareStatus } from '../../../src/domain/share.js';
import type { Tenant, TenantStatus } from '../../../src/domain/tenant.js';
import type { User, UserState } from '../../../src/domain/user.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const ROLES = ['AdministrationBasic', 'CustomerBasic', 'Marketing', 'SalesBasic', 'SalesAdvanced', 'OperationBasic'];
const PERMISSIONS = [
  'users.read',
  'orders.read',
  'customers.read',
  'customers.suspend',
  'marketing.leads.read',
  'system.health.read',
  'decisions.read',
  'no.such.permission',
];

/** The simple evaluation the engine must agree with: the per-request `resolveActor` path. */
async function reference(user: User, tenant: Tenant, permission: string, byId: Map<string, Tenant>): Promise<boolean> {
  const holds = async (actingTenantId: string) => {
    try {
      const actor = await k.deps.store.read((r) =>
        resolveActor(r, k.deps.catalogue, { userId: user.id, homeTenantId: user.tenantId, actingTenantId }, new Date()),
      );
      return actor.permissions.has(permission);
    } catch {
      return false; // may not act there
    }
  };
  if (await holds(tenant.id)) return true;
  const parentId = byId.get(tenant.id)?.parentId;
  return permission.startsWith('customers.') && parentId != null && (await holds(parentId));
}

const scenarioArb = fc.record({
  // parent index into the tenants created before (0 = the reseller on top of this scenario)
  tenants: fc.array(fc.record({ parent: fc.nat(), status: fc.constantFrom<TenantStatus>('active', 'suspended') }), {
    minLength: 1,
    maxLength: 4,
  }),
  users: fc.array(
    fc.record({
      home: fc.nat(),
      roles: fc.subarray(ROLES),
      state: fc.constantFrom<UserState>('active', 'active', 'locked', 'disabled'),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  shares: fc.array(
    fc.record({
      user: fc.nat(),
      target: fc.nat(),
      status: fc.constantFrom<ShareStatus>('active', 'active', 'offered', 'ended'),
      expired: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  changes: fc.array(fc.record({ kind: fc.constantFrom('lock', 'suspend', 'roles'), pick: fc.nat() }), { maxLength: 3 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

async function build(s: Scenario) {
  const top = await k.aTenant(k.root, 'reseller');
  const tenants: Tenant[] = [top];
  for (const t of s.tenants) {
    const parent = tenants[t.parent % tenants.length] as Tenant;
    // consumers have no children: only resellers are picked as parents of resellers
    const kind = parent.kind === 'reseller' && t.parent % 2 === 0 ? 'reseller' : 'consumer';
    const p = parent.kind === 'consumer' ? top : parent;
    tenants.push(await k.aTenant(p, kind));
  }
  const users: User[] = [];
  for (const u of s.users) {
    const home = [k.root, ...tenants][u.home % (tenants.length + 1)] as Tenant;
    const user = await k.aUserIn(home, u.roles);
    if (u.state !== 'active')
      await k.deps.store.transaction((r) => r.users.update(home.id, user.id, { state: u.state }, new Date()));
    users.push(user);
  }
  const now = Date.now();
  for (const sh of s.shares) {
    const user = users[sh.user % users.length] as User;
    const target = tenants[sh.target % tenants.length] as Tenant;
    if (target.id === user.tenantId) continue;
    await k.deps.store
      .transaction((r) =>
        r.shares.insert({
          id: randomUUID(),
          userId: user.id,
          homeTenantId: user.tenantId,
          targetTenantId: target.id,
          status: sh.status,
          expiresAt: sh.expired ? new Date(now - 1000) : new Date(now + 3_600_000),
          createdBy: user.id,
          acceptedBy: null,
          endedBy: null,
          createdAt: new Date(now),
          acceptedAt: null,
          endedAt: null,
          acceptedRoles: null,
        }),
      )
      .catch(() => undefined); // a second open share of the same pair is refused: fine
  }
  for (const [i, t] of tenants.entries()) {
    const status = s.tenants[i - 1]?.status;
    if (status && status !== 'active') await k.deps.store.transaction((r) => r.tenants.update(t.id, { status }));
  }
  return { tenants: [k.root, ...tenants], users };
}

async function compare(tenants: Tenant[], users: User[]) {
  const byId = new Map(tenants.map((t) => [t.id, t]));
  for (const u of users) {
    for (const t of tenants) {
      for (const p of PERMISSIONS) {
        const got = await k.decisions.decide(u.id, t.id, p);
        expect({ u: u.id, t: t.id, p, allowed: got.allowed }).toEqual({
          u: u.id,
          t: t.id,
          p,
          allowed: await reference(u, t, p, byId),
        });
      }
    }
  }
}

describe('decision engine', () => {
  it('decides like the per-request evaluation on random scenarios, before and after changes', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { tenants, users } = await build(s);
        await compare(tenants, users);
        for (const c of s.changes) {
          const u = users[c.pick % users.length] as User;
          const t = tenants[1 + (c.pick % (tenants.length - 1))] as Tenant;
          await k.deps.store.transaction(async (r) => {
            if (c.kind === 'lock') await r.users.update(u.tenantId, u.id, { state: 'locked' }, new Date());
            if (c.kind === 'suspend') await r.tenants.update(t.id, { status: 'suspended' });
            if (c.kind === 'roles') await r.roles.setUserRoles(u.tenantId, u.id, ['Marketing'], null, new Date());
          });
        }
        await compare(tenants, users);
      }),
      { numRuns: 10 },
    );
  }, 180_000);
});
