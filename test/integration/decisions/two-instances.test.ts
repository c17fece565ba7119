import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

// Two processes' worth of Kontor on one PostgreSQL schema: each has its own cache and listener.
describe.runIf(process.env.DATABASE_URL)('decisions on two instances', () => {
  let a: TestKontor;
  let b: Kontor;
  let t: Tenant;
  beforeAll(async () => {
    a = await testKontor();
    b = await createKontor(a.config);
    t = await a.aTenant(a.root, 'reseller');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  async function seenByB(userId: string, permission: string, allowed: boolean): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < 1000) {
      if ((await b.decisions.decide(userId, t.id, permission)).allowed === allowed) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`instance B did not see the change within 1 s`);
  }

  it('shows a role revoked through one instance in the other’s cached decisions within a second', async () => {
    const u = await a.aUserIn(t, ['CustomerBasic', 'Marketing']);
    expect((await b.decisions.decide(u.id, t.id, 'marketing.leads.read')).allowed).toBe(true);
    await a.deps.store.transaction((r) => r.roles.setUserRoles(t.id, u.id, ['CustomerBasic'], null, new Date()));
    expect(await seenByB(u.id, 'marketing.leads.read', false)).toBeLessThan(1000);
  });

  it('shows a user locked through one instance as locked on the other within a second', async () => {
    const u = await a.aUserIn(t, ['CustomerBasic']);
    expect((await b.decisions.decide(u.id, t.id, 'orders.read')).allowed).toBe(true);
    await a.deps.store.transaction((r) => r.users.update(t.id, u.id, { state: 'locked' }, new Date()));
    expect(await seenByB(u.id, 'orders.read', false)).toBeLessThan(1000);
  });
});
