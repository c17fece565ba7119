import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/app/assign-roles.js';
import { DecisionEngine } from '../../../src/app/decisions.js';
import { setUserState } from '../../../src/app/manage-user.js';
import { applyRoles } from '../../../src/app/roles.js';
import { acceptShare, endShare, releaseShare } from '../../../src/app/shares.js';
import { updateTenant } from '../../../src/app/tenants.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { decisionSource } from '../../../src/storage/repositories/decision-source.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
let reseller: Tenant;
let consumer: Tenant;
const ADMIN = ['AdministrationAdvanced', 'AdministrationBasic', 'SalesAdvanced'];

beforeAll(async () => {
  k = await testKontor();
  reseller = await k.aTenant(k.root, 'reseller');
  consumer = await k.aTenant(reseller, 'consumer');
});
afterAll(async () => k?.close());

const decide = (userId: string, tenantId: string, permission: string) =>
  k.decisions.decide(userId, tenantId, permission);

/**
 * Warms the cache with a decision first, so the test proves invalidation, not a cold read. A
 * notification or the safety timer may unverify the cache at any moment, so warm until the
 * answer is served from the cache.
 */
async function warm(userId: string, tenantId: string, permission: string, allowed: boolean) {
  for (let i = 0; i < 20 && k.decisions.tryDecide(userId, tenantId, permission) === undefined; i++) {
    expect((await decide(userId, tenantId, permission)).allowed).toBe(allowed);
  }
  expect(k.decisions.tryDecide(userId, tenantId, permission)?.allowed).toBe(allowed);
}

describe('decisions', () => {
  it('allows a permission of the user’s roles in its home tenant and nothing else', async () => {
    const u = await k.aUserIn(consumer, ['CustomerBasic']);
    expect(await decide(u.id, consumer.id, 'orders.read')).toEqual({ allowed: true });
    expect(await decide(u.id, consumer.id, 'users.create')).toEqual({ allowed: false, reason: 'not_granted' });
    expect(await decide(u.id, reseller.id, 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
  });

  it('answers an unknown or malformed user, tenant or permission with false, never an error', async () => {
    const u = await k.aUserIn(consumer, ['CustomerBasic']);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await decide(unknown, consumer.id, 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(await decide(u.id, unknown, 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(await decide('not-a-uuid', "x'; --", 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(await decide(u.id, consumer.id, 'no.such')).toEqual({ allowed: false, reason: 'permission_unknown' });
  });

  it('grants customers.* on direct children of the tenant where the user holds it, not deeper', async () => {
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    expect((await decide(sales.id, reseller.id, 'customers.read')).allowed).toBe(true);
    expect((await decide(sales.id, consumer.id, 'customers.read')).allowed).toBe(false);
    expect((await decide(sales.id, reseller.id, 'tenants.read')).allowed).toBe(false);
  });

  it('counts system permissions only for users of the root provider (R7)', async () => {
    const rootOps = await k.aUserIn(k.root, ['OperationBasic']);
    const resellerOps = await k.aUserIn(reseller, ['OperationBasic']);
    expect((await decide(rootOps.id, k.root.id, 'system.health.read')).allowed).toBe(true);
    expect((await decide(rootOps.id, k.root.id, 'tenants.read')).allowed).toBe(false);
    expect((await decide(resellerOps.id, reseller.id, 'system.health.read')).allowed).toBe(false);
  });

  it('reflects a revoked role in the very next decision', async () => {
    const admin = await k.aUserIn(reseller, ADMIN, { type: 'primary' });
    const u = await k.aUserIn(reseller, ['CustomerBasic', 'Marketing']);
    await warm(u.id, reseller.id, 'marketing.leads.read', true);
    await assignRoles(k.deps, await k.ctx(admin), { userId: u.id, roles: ['CustomerBasic'] });
    expect((await decide(u.id, reseller.id, 'marketing.leads.read')).allowed).toBe(false);
  });

  it('reflects a locked user in the very next decision', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(t, ADMIN, { type: 'primary' });
    const u = await k.aUserIn(t, ['CustomerBasic']);
    await warm(u.id, t.id, 'orders.read', true);
    await setUserState(k.deps, await k.ctx(admin), { userId: u.id, state: 'locked' });
    expect(await decide(u.id, t.id, 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
  });

  it('reflects a suspended tenant in the very next decision', async () => {
    const c = await k.aTenant(reseller, 'consumer');
    const u = await k.aUserIn(c, ['CustomerBasic']);
    const sales = await k.aUserIn(reseller, ['SalesAdvanced', 'AdministrationBasic']);
    await warm(u.id, c.id, 'orders.read', true);
    await updateTenant(k.deps, await k.ctx(sales), { tenantId: c.id, status: 'suspended' });
    expect((await decide(u.id, c.id, 'orders.read')).allowed).toBe(false);
  });

  it('reflects an accepted and then an ended share in the very next decision', async () => {
    const resellerAdmin = await k.aUserIn(reseller, ADMIN);
    const consumerAdmin = await k.aUserIn(consumer, ADMIN);
    const tech = await k.aUserIn(reseller, ['CustomerBasic']);
    await warm(tech.id, consumer.id, 'orders.read', false);
    const { share } = await releaseShare(k.deps, await k.ctx(resellerAdmin), {
      userId: tech.id,
      tenantId: consumer.id,
    });
    await acceptShare(k.deps, await k.ctx(consumerAdmin), share.id);
    await warm(tech.id, consumer.id, 'orders.read', true);
    await endShare(k.deps, await k.ctx(consumerAdmin), share.id);
    expect((await decide(tech.id, consumer.id, 'orders.read')).allowed).toBe(false);
  });

  it('ends a share’s access the moment it expires, with no change in the database', async () => {
    let now = Date.now();
    const engine = new DecisionEngine(decisionSource(k.db.kysely), k.deps.catalogue, { now: () => new Date(now) });
    const resellerAdmin = await k.aUserIn(reseller, ADMIN);
    const consumerAdmin = await k.aUserIn(consumer, ADMIN);
    const tech = await k.aUserIn(reseller, ['CustomerBasic']);
    const expiresAt = new Date(now + 60_000).toISOString();
    const { share } = await releaseShare(k.deps, await k.ctx(resellerAdmin), {
      userId: tech.id,
      tenantId: consumer.id,
      expiresAt,
    });
    await acceptShare(k.deps, await k.ctx(consumerAdmin), share.id);
    expect((await engine.decide(tech.id, consumer.id, 'orders.read')).allowed).toBe(true);
    now += 60_001;
    expect(engine.tryDecide(tech.id, consumer.id, 'orders.read')).toEqual({ allowed: false, reason: 'no_access' });
  });

  it('reflects a changed role definition in the very next decision', async () => {
    const u = await k.aUserIn(reseller, ['Marketing']);
    await warm(u.id, reseller.id, 'orders.read', false);
    const roles = readRolesFile('config/roles.yaml').map((r) =>
      r.key === 'Marketing' ? { ...r, permissions: [...r.permissions, 'orders.read'] } : r,
    );
    await applyRoles(k.deps, null, roles, { dryRun: false });
    expect((await decide(u.id, reseller.id, 'orders.read')).allowed).toBe(true);
  });

  it('sees a change written past the app layer within a second, through the notification', async () => {
    const u = await k.aUserIn(reseller, ['CustomerBasic']);
    await warm(u.id, reseller.id, 'orders.read', true);
    await sql`UPDATE users SET state = 'disabled' WHERE id = ${u.id}`.execute(k.db.kysely);
    const deadline = Date.now() + 1000;
    let d = await decide(u.id, reseller.id, 'orders.read');
    while (d.allowed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      d = await decide(u.id, reseller.id, 'orders.read');
    }
    expect(d.allowed).toBe(false);
  });

  it('keeps the cache across sign-in bookkeeping that cannot change a decision', async () => {
    const u = await k.aUserIn(reseller, ['CustomerBasic']);
    const before = await k.db.kysely.selectFrom('decision_version').select('version').executeTakeFirstOrThrow();
    await sql`UPDATE users SET display_name = 'Renamed', updated_at = now() WHERE id = ${u.id}`.execute(k.db.kysely);
    const after = await k.db.kysely.selectFrom('decision_version').select('version').executeTakeFirstOrThrow();
    expect(after.version).toBe(before.version);
  });
});
