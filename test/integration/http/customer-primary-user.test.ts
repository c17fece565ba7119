import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

// Issue 21 #1: the customer page finds a direct customer's primary user by the tenant.

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('GET /tenants/{id}/primary-user', () => {
  it('answers the primary user of a direct customer, and 404 user while it has none', async () => {
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const sales = await h.signedIn(h.k.root, ADMIN_ROLES);
    const none = await sales.call('GET', `/api/v1/tenants/${reseller.id}/primary-user`);
    expect(problem(none, 404, 'resource.not_found').detail).toMatch(/user/i);
    const made = await sales.call('POST', `/api/v1/tenants/${reseller.id}/users`, {
      loginName: 'the-primary',
      type: 'primary',
      roles: ['CustomerBasic'],
    });
    expect(made.statusCode, made.body).toBe(201);
    const res = await sales.call('GET', `/api/v1/tenants/${reseller.id}/primary-user`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: made.json().user.id,
      loginName: 'the-primary',
      relation: 'customer_primary',
      roles: ['CustomerBasic'],
    });
    expect(res.headers.etag).toBe(`"${res.json().version}"`);
  });

  it('a tenant further down, the own tenant and a stranger answer 404 tenant; without customers.read 403', async () => {
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const below = await h.k.aTenant(reseller, 'consumer');
    const stranger = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(reseller, ADMIN_ROLES);
    for (const id of [reseller.id, stranger.id]) {
      problem(await admin.call('GET', `/api/v1/tenants/${id}/primary-user`), 404, 'resource.not_found');
    }
    const rootAdmin = await h.signedIn(h.k.root, ADMIN_ROLES);
    problem(await rootAdmin.call('GET', `/api/v1/tenants/${below.id}/primary-user`), 404, 'resource.not_found');
    const plain = await h.signedIn(h.k.root, []);
    problem(await plain.call('GET', `/api/v1/tenants/${reseller.id}/primary-user`), 403);
  });
});
