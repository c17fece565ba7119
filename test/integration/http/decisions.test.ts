import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

let h: HttpKit;
let r: Tenant;
let c1: Tenant;
let sibling: Tenant;
let app: Client;
let buyer: User;
let siblingBuyer: User;
let token: string;

beforeAll(async () => {
  h = await httpKit();
  r = await h.k.aTenant(h.k.root, 'reseller');
  c1 = await h.k.aTenant(r, 'consumer');
  sibling = await h.k.aTenant(h.k.root, 'reseller');
  // AdministrationAdvanced holds decisions.read: the app's service account of reseller R.
  app = await h.signedIn(r, ['AdministrationAdvanced']);
  buyer = await h.k.aUserIn(c1, ['CustomerBasic']);
  siblingBuyer = await h.k.aUserIn(sibling, ['CustomerBasic']);
  const res = await app.call('POST', '/api/v1/me/tokens', { name: 'shop backend' });
  token = res.json().token;
});
afterAll(async () => h?.close());

const check = (body: unknown, auth = token) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/check',
    payload: body as object,
    headers: { authorization: `Bearer ${auth}` },
  });

describe('POST /api/v1/check', () => {
  it('answers a decision for a user in the caller’s subtree to an API token', async () => {
    const yes = await check({ userId: buyer.id, tenantId: c1.id, permission: 'orders.read' });
    expect(yes.statusCode).toBe(200);
    expect(yes.json()).toEqual({ allowed: true });
    const no = await check({ userId: buyer.id, tenantId: c1.id, permission: 'users.create' });
    expect(no.json()).toEqual({ allowed: false, reason: 'not_granted' });
  });

  it('answers a tenant outside the caller’s subtree exactly like an unknown one', async () => {
    const outside = await check({ userId: siblingBuyer.id, tenantId: sibling.id, permission: 'orders.read' });
    const unknown = await check({
      userId: '00000000-0000-4000-8000-000000000000',
      tenantId: '00000000-0000-4000-8000-000000000001',
      permission: 'orders.read',
    });
    expect(outside.statusCode).toBe(200);
    expect(outside.body).toBe(unknown.body);
    expect(outside.json()).toEqual({ allowed: false, reason: 'no_access' });
  });

  it('answers a malformed id with false, not with an error', async () => {
    const res = await check({ userId: 'nobody', tenantId: c1.id, permission: 'orders.read' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ allowed: false, reason: 'no_access' });
  });

  it('refuses a caller without decisions.read', async () => {
    const clerk = await h.signedIn(r, ['CustomerBasic']);
    const res = await clerk.call('POST', '/api/v1/check', {
      userId: buyer.id,
      tenantId: c1.id,
      permission: 'orders.read',
    });
    problem(res, 403, 'grant.missing_permission');
  });

  it('answers a session as well, and a batch in order', async () => {
    const res = await app.call('POST', '/api/v1/check/batch', {
      queries: [
        { userId: buyer.id, tenantId: c1.id, permission: 'orders.read' },
        { userId: siblingBuyer.id, tenantId: sibling.id, permission: 'orders.read' },
        { userId: buyer.id, tenantId: c1.id, permission: 'no.such' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { allowed: true },
      { allowed: false, reason: 'no_access' },
      { allowed: false, reason: 'permission_unknown' },
    ]);
  });

  it('answers a batch of 1,000 queries and refuses one of 1,001', async () => {
    const q = { userId: buyer.id, tenantId: c1.id, permission: 'orders.read' };
    const full = await app.call('POST', '/api/v1/check/batch', { queries: Array.from({ length: 1000 }, () => q) });
    expect(full.statusCode).toBe(200);
    expect(full.json().results.every((x: { allowed: boolean }) => x.allowed)).toBe(true);
    const res = await app.call('POST', '/api/v1/check/batch', { queries: Array.from({ length: 1001 }, () => q) });
    problem(res, 400);
  });

  it('reflects a lock made through the API in the very next check', async () => {
    const admin = await h.signedIn(c1, ['AdministrationBasic']);
    const worker = await h.k.aUserIn(c1, ['CustomerBasic']);
    expect((await check({ userId: worker.id, tenantId: c1.id, permission: 'orders.read' })).json().allowed).toBe(true);
    const lock = await admin.call('POST', `/api/v1/users/${worker.id}/lock`, {});
    expect(lock.statusCode).toBe(200);
    expect((await check({ userId: worker.id, tenantId: c1.id, permission: 'orders.read' })).json().allowed).toBe(false);
  });
});
