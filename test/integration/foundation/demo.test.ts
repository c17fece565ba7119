import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/app/seed-demo.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

describe('MSP demo seed', () => {
  it('builds an MSP with two customers, a carrier and a technician shared into one customer', async () => {
    const logins = await seedDemo(k.deps, {
      rootAdminId: k.rootAdmin.id,
      rootTenantId: k.root.id,
      password: 'demo password long enough',
    });
    expect(logins?.map((l) => `${l.tenant}/${l.username}`)).toEqual([
      'demo-msp/owner',
      'demo-msp/tech',
      'demo-bakery/chef',
      'demo-dental/chef',
    ]);
    const msp = await k.deps.store.read((r) => r.tenants.findBySlug('demo-msp'));
    const kids = await k.deps.store.read((r) => r.tenants.children(msp!.id));
    expect(kids.map((t) => t.kind).sort()).toEqual(['carrier', 'consumer', 'consumer']);
    const tech = await k.deps.store.read((r) => r.users.findByLogin(msp!.id, 'tech'));
    const bakery = kids.find((t) => t.slug === 'demo-bakery')!;
    const ctx = await k.ctx(tech!, bakery.id);
    expect(ctx.actor.via).toBe('share');
    // A second run changes nothing.
    expect(
      await seedDemo(k.deps, { rootAdminId: k.rootAdmin.id, rootTenantId: k.root.id, password: 'x' }),
    ).toBeUndefined();
  });
});
