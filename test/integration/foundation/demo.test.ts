import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/app/seed-demo.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

describe('MSP demo seed', () => {
  it('tells an MSP story: three customers, a carrier, named staff, a technician shared into two customers', async () => {
    const started = Date.now();
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
      'demo-architects/chef',
      'demo-architects/tom.weber',
    ]);
    const msp = await k.deps.store.read((r) => r.tenants.findBySlug('demo-msp'));
    const kids = await k.deps.store.read((r) => r.tenants.children(msp!.id));
    expect(kids.map((t) => t.kind).sort()).toEqual(['carrier', 'consumer', 'consumer', 'consumer']);
    const tech = await k.deps.store.read((r) => r.users.findByLogin(msp!.id, 'tech'));
    expect(tech).toMatchObject({ displayName: 'Jonas Brandt', email: 'jonas.brandt@demo-msp.example' });
    for (const slug of ['demo-bakery', 'demo-dental']) {
      const ctx = await k.ctx(tech!, kids.find((t) => t.slug === slug)!.id);
      expect(ctx.actor.via).toBe('share');
    }
    // Not shared into the architects: refused there.
    await expect(k.ctx(tech!, kids.find((t) => t.slug === 'demo-architects')!.id)).rejects.toThrow();

    const arch = kids.find((t) => t.slug === 'demo-architects')!;
    const companies = await k.deps.store.read((r) => r.companies.list(arch.id));
    expect(companies.map((c) => c.name).sort()).toEqual(['Hoffmann Architekten Holding', 'Hoffmann Planung GmbH']);
    expect((await k.deps.store.read((r) => r.fields.list(arch.id))).map((f) => f.key).sort()).toEqual([
      'cost_centre',
      'office',
    ]);
    const tom = await k.deps.store.read((r) => r.users.findByLogin(arch.id, 'tom.weber'));
    expect(tom?.customFields).toEqual({ cost_centre: 'KST-4711', office: 'Köln' });

    // A day of activity, in order, never in the future.
    const events = await k.deps.store.read((r) => r.audit.list(arch.id, { limit: 100 }));
    const actions = events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user.state.locked', 'user.state.active', 'user.roles_changed']));
    const times = events.map((e) => e.at.getTime()).sort((a, b) => a - b);
    expect(times[0]).toBeLessThan(started - 12 * 3600 * 1000);
    expect(times[times.length - 1]).toBeLessThanOrEqual(Date.now());

    // A second run changes nothing.
    expect(
      await seedDemo(k.deps, { rootAdminId: k.rootAdmin.id, rootTenantId: k.root.id, password: 'x' }),
    ).toBeUndefined();
  });
});
