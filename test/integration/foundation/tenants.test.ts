import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildTenant, deleteTenant, getTenant, moveTenant, updateTenant } from '../../../src/app/tenants.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

describe('tenant tree', () => {
  it('lets a supplier’s sales create reseller, consumer and carrier children', async () => {
    const sales = await k.aUserIn(k.root, ['SalesAdvanced']);
    const ctx = await k.ctx(sales);
    for (const kind of ['reseller', 'consumer', 'carrier'] as const) {
      const { tenant } = await createChildTenant(k.deps, ctx, {
        parentId: k.root.id,
        kind,
        name: `A ${kind}`,
        slug: `a-${kind}`,
      });
      expect(tenant.parentId).toBe(k.root.id);
      expect(tenant.path).toBe(`${k.root.path}${tenant.id}/`);
    }
  });

  it('refuses children below a consumer or a carrier', async () => {
    const consumer = await k.aTenant(k.root, 'consumer');
    const sales = await k.aUserIn(consumer, ['SalesAdvanced']);
    const before = await k.counts();
    await expect(
      createChildTenant(k.deps, await k.ctx(sales), {
        parentId: consumer.id,
        kind: 'consumer',
        name: 'x',
        slug: 'below-consumer',
      }),
    ).rejects.toMatchObject({ code: 'tenant.invalid_parent' });
    expect(await k.counts()).toEqual(before);
  });

  it('lets the database refuse an invalid parent kind even when the code is bypassed', async () => {
    const carrier = await k.aTenant(k.root, 'carrier');
    await expect(k.aTenant(carrier, 'consumer')).rejects.toBeTruthy();
    await expect(
      sql`INSERT INTO tenants (id, kind, path, depth, name, slug, created_at, updated_at)
          VALUES (gen_random_uuid(), 'provider', '/x/', 0, 'Second root', 'second-root', now(), now())`.execute(
        k.db.kysely,
      ),
    ).rejects.toBeTruthy();
  });

  it('refuses creating a child without customers.create, keeping customers.read', async () => {
    const marketing = await k.aUserIn(k.root, ['Marketing']);
    const ctx = await k.ctx(marketing);
    await expect(
      createChildTenant(k.deps, ctx, { parentId: k.root.id, kind: 'consumer', name: 'x', slug: 'no-right' }),
    ).rejects.toMatchObject({ code: 'grant.missing_permission' });
    const child = await k.aTenant(k.root, 'consumer');
    expect((await getTenant(k.deps, ctx, child.id)).id).toBe(child.id);
  });

  it('re-parents a subtree without cycles and keeps kinds valid', async () => {
    const r1 = await k.aTenant(k.root, 'reseller');
    const r2 = await k.aTenant(r1, 'reseller');
    const c = await k.aTenant(r2, 'consumer');
    const r3 = await k.aTenant(k.root, 'reseller');
    const boss = await k.aUserIn(k.root, ['SalesAdvanced']);
    const ctx = await k.ctx(boss);
    await expect(moveTenant(k.deps, ctx, { tenantId: r1.id, newParentId: r2.id })).rejects.toMatchObject({
      code: 'tenant.cycle',
    });
    const elsewhere = await k.aTenant(k.root, 'consumer');
    await expect(moveTenant(k.deps, ctx, { tenantId: r2.id, newParentId: elsewhere.id })).rejects.toMatchObject({
      code: 'tenant.invalid_parent',
    });
    const moved = await moveTenant(k.deps, ctx, { tenantId: r2.id, newParentId: r3.id });
    expect(moved.path).toBe(`${r3.path}${r2.id}/`);
    const movedChild = await k.deps.store.read((r) => r.tenants.findById(c.id));
    expect(movedChild?.path).toBe(`${r3.path}${r2.id}/${c.id}/`);
    expect(movedChild?.depth).toBe(3);
    const sub = await k.deps.store.read((r) => r.tenants.subtree(r3.path));
    expect(sub.map((t) => t.id)).toEqual([r3.id, r2.id, c.id]);
  });

  it('refuses a move by someone who is not above both places', async () => {
    const r1 = await k.aTenant(k.root, 'reseller');
    const r2 = await k.aTenant(k.root, 'reseller');
    const c = await k.aTenant(r1, 'consumer');
    const r1Boss = await k.aUserIn(r1, ['SalesAdvanced']);
    await expect(moveTenant(k.deps, await k.ctx(r1Boss), { tenantId: c.id, newParentId: r2.id })).rejects.toMatchObject(
      {
        code: 'resource.not_found',
      },
    );
  });

  it('removes only a tenant without children', async () => {
    const r = await k.aTenant(k.root, 'reseller');
    const c = await k.aTenant(r, 'consumer');
    await k.aUserIn(c, ['CustomerBasic']);
    const boss = await k.aUserIn(k.root, ['SalesAdvanced']);
    const rootCtx = await k.ctx(boss);
    await expect(deleteTenant(k.deps, rootCtx, { tenantId: r.id })).rejects.toMatchObject({
      code: 'tenant.has_children',
    });
    const rBoss = await k.aUserIn(r, ['SalesAdvanced']);
    await deleteTenant(k.deps, await k.ctx(rBoss), { tenantId: c.id });
    expect(await k.deps.store.read((x) => x.tenants.findById(c.id))).toBeUndefined();
  });

  it('suspends a direct customer; its users can no longer act', async () => {
    const c = await k.aTenant(k.root, 'consumer');
    const u = await k.aUserIn(c, ['CustomerBasic']);
    const sales = await k.aUserIn(k.root, ['SalesAdvanced']);
    await updateTenant(k.deps, await k.ctx(sales), { tenantId: c.id, status: 'suspended' });
    await expect(k.ctx(u)).rejects.toMatchObject({ code: 'auth.unauthenticated' });
    await updateTenant(k.deps, await k.ctx(sales), { tenantId: c.id, status: 'active' });
    await expect(k.ctx(u)).resolves.toBeTruthy();
  });

  it('refuses suspension by SalesBasic, which lacks customers.suspend', async () => {
    const c = await k.aTenant(k.root, 'consumer');
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    await expect(
      updateTenant(k.deps, await k.ctx(sales), { tenantId: c.id, status: 'suspended' }),
    ).rejects.toMatchObject({
      code: 'grant.missing_permission',
    });
  });
});
