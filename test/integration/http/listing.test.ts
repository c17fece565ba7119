import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

/** Follows `nextCursor` to the end; every page at most `limit` long. */
async function walk<T>(c: Client, url: string, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const sep = url.includes('?') ? '&' : '?';
    const res = await c.call(
      'GET',
      `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.statusCode).toBe(200);
    const page = res.json() as { items: T[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('pagination did not end');
}

describe('paged listings', () => {
  let kit: HttpKit;
  beforeAll(async () => {
    kit = await httpKit();
  });
  afterAll(async () => kit?.close());

  it('walks the subtree below the acting tenant depth-first, each tenant once, nothing outside', async () => {
    const { k } = kit;
    const a = await k.aTenant(k.root, 'reseller');
    const a1 = await k.aTenant(a, 'consumer');
    const a2 = await k.aTenant(a, 'reseller');
    const a21 = await k.aTenant(a2, 'consumer');
    const a22 = await k.aTenant(a2, 'carrier');
    const a3 = await k.aTenant(a, 'carrier');
    const elsewhere = await k.aTenant(k.root, 'reseller');
    await k.aTenant(elsewhere, 'consumer');
    const c = await kit.signedIn(a, ['SalesBasic']);
    const seen = await walk<Tenant>(c, `/api/v1/tenants/${a.id}/subtree`, 2);
    expect(seen.map((t) => t.id).sort()).toEqual([a1, a2, a21, a22, a3].map((t) => t.id).sort());
    // Depth-first: every tenant comes after its parent, and a parent's subtree is contiguous.
    const at = new Map(seen.map((t, i) => [t.id, i]));
    for (const t of seen)
      if (t.parentId !== a.id) expect(at.get(t.id)).toBeGreaterThan(at.get(t.parentId as string) ?? -1);
    const block = [a2, a21, a22].map((t) => at.get(t.id) as number).sort((x, y) => x - y);
    expect((block[2] as number) - (block[0] as number)).toBe(2);
    expect(seen.find((t) => t.id === a21.id)?.depth).toBe(a.depth + 2);

    // Only from the acting tenant, only with customers.read, and no cursor from outside.
    problem(await c.call('GET', `/api/v1/tenants/${elsewhere.id}/subtree`), 404, 'resource.not_found');
    problem(await c.call('GET', `/api/v1/tenants/${a.id}/subtree?cursor=${elsewhere.id}`), 400, 'validation.invalid');
    const plain = await kit.signedIn(a, ['CustomerBasic']);
    problem(await plain.call('GET', `/api/v1/tenants/${a.id}/subtree`), 403);
  });

  it('pages own users and imported shares in one login order, each once', async () => {
    const { k } = kit;
    const t = await k.aTenant(k.root, 'reseller');
    const other = await k.aTenant(k.root, 'reseller');
    const admin = await kit.signedIn(t, ['AdministrationBasic'], { login: 'm-admin' });
    const own: User[] = [admin.user];
    for (const login of ['Bravo', 'alpha', 'delta', 'Echo', 'zulu', 'kilo'])
      own.push(await k.aUserIn(t, [], { login }));
    const guests: User[] = [];
    // The same login name as an own user: the id decides, and neither is lost at a page edge.
    for (const login of ['charlie', 'ALPHA', 'yankee']) guests.push(await k.aUserIn(other, [], { login }));
    for (const g of guests) await k.anAcceptedShare(g, t);
    for (const limit of [1, 2, 3, 50]) {
      const seen = await walk<User & { relation: string }>(admin, `/api/v1/tenants/${t.id}/users`, limit);
      expect(seen.map((u) => u.id).sort()).toEqual([...own, ...guests].map((u) => u.id).sort());
      const keys = seen.map((u) => `${u.loginName.toLowerCase()}|${u.id}`);
      expect(keys).toEqual([...keys].sort());
      expect(
        seen
          .filter((u) => u.relation === 'shared')
          .map((u) => u.id)
          .sort(),
      ).toEqual(guests.map((g) => g.id).sort());
    }
    const found = await walk<User>(admin, `/api/v1/tenants/${t.id}/users?q=alph`, 1);
    expect(found.map((u) => u.loginName).sort()).toEqual(['ALPHA', 'alpha']);
  });
});
