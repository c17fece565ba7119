import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

// Issue 14 #8: both sides see cross-tenant work, and a tenant the caller can see in its subtree
// says why it is out of reach instead of claiming not to exist.

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

type Event = { seq: number; action: string; targetType: string; targetId: string; details: Record<string, unknown> };
const log = async (tenantId: string): Promise<Event[]> =>
  h.k.deps.store.read((r) => r.audit.list(tenantId, { limit: 500 })) as Promise<Event[]>;

describe('cross-tenant work', () => {
  it('the provider’s sales creating a reseller’s primary user leaves a reference in the provider’s log', async () => {
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const sales = await h.signedIn(h.k.root, ['SalesAdvanced']);
    const res = await sales.call('POST', `/api/v1/tenants/${reseller.id}/users`, {
      loginName: 'reseller-primary',
      type: 'primary',
      roles: ['CustomerBasic'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const userId = res.json().user.id as string;
    const created = (await log(reseller.id)).find((e) => e.action === 'user.created' && e.targetId === userId);
    expect(created).toBeDefined();
    const refs = (await log(h.k.root.id)).filter((e) => e.action === 'reference');
    const ref = refs.find((e) => e.details.seq === created?.seq && e.details.tenantId === reseller.id);
    expect(ref).toMatchObject({
      targetType: 'audit_event',
      targetId: `${reseller.id}:${created?.seq}`,
      details: { action: 'user.created', targetType: 'user', targetId: userId },
    });
    // What and where only: the details stay in the reseller's log.
    expect(JSON.stringify(ref)).not.toContain('reseller-primary');
    // And the provider's administrators read it over the API, in their own log.
    const reader = await h.signedIn(h.k.root, ADMIN_ROLES);
    const own = await reader.call('GET', `/api/v1/tenants/${h.k.root.id}/audit?limit=200`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().items.some((e: Event) => e.action === 'reference' && e.details.seq === created?.seq)).toBe(true);
  });

  it('work in the actor’s own tenant leaves no reference', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ADMIN_ROLES);
    const res = await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: 'own-work' });
    expect(res.statusCode, res.body).toBe(201);
    expect((await log(t.id)).filter((e) => e.action === 'reference')).toEqual([]);
  });

  it('a shared technician’s work at a customer leaves a reference in the MSP’s log', async () => {
    const msp = await h.k.aTenant(h.k.root, 'reseller');
    const customer = await h.k.aTenant(msp, 'consumer');
    const mspAdmin = await h.signedIn(msp, ADMIN_ROLES);
    const custAdmin = await h.signedIn(customer, ADMIN_ROLES);
    const tech = await h.signedIn(msp, ['AdministrationBasic']);
    const offer = await mspAdmin.call('POST', `/api/v1/users/${tech.user.id}/shares`, { tenantId: customer.id });
    expect(offer.statusCode, offer.body).toBe(201);
    expect((await custAdmin.call('POST', `/api/v1/shares/${offer.json().share.id}/accept`)).statusCode).toBe(200);
    // The share's own events are written to both sides already: no reference on top.
    expect((await log(msp.id)).filter((e) => e.action === 'reference')).toEqual([]);
    expect((await tech.call('PUT', '/api/v1/me/acting-tenant', { tenantId: customer.id })).statusCode).toBe(204);
    const made = await tech.call('POST', `/api/v1/tenants/${customer.id}/users`, { loginName: 'by-the-msp' });
    expect(made.statusCode, made.body).toBe(201);
    const refs = (await log(msp.id)).filter((e) => e.action === 'reference');
    expect(refs.map((e) => [e.details.tenantId, e.details.action, e.details.targetId])).toContainEqual([
      customer.id,
      'user.created',
      made.json().user.id,
    ]);
  });
});

describe('a tenant visible in the subtree but out of reach', () => {
  it('answers 403 tenant.outside_reach on its children, users, log and subtree; a stranger’s tenant stays 404', async () => {
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const grandchild = await h.k.aTenant(reseller, 'consumer');
    const stranger = await h.k.aTenant(h.k.root, 'reseller');
    const sales = await h.signedIn(h.k.root, ['SalesAdvanced', 'AdministrationBasic']);
    const tree = await sales.call('GET', `/api/v1/tenants/${h.k.root.id}/subtree?limit=500`);
    expect(tree.json().items.map((t: { id: string }) => t.id)).toContain(grandchild.id);
    for (const url of [
      `/api/v1/tenants/${grandchild.id}/children`,
      `/api/v1/tenants/${reseller.id}/children`,
      `/api/v1/tenants/${grandchild.id}/subtree`,
      `/api/v1/tenants/${grandchild.id}/users`,
      `/api/v1/tenants/${grandchild.id}/audit`,
    ]) {
      problem(await sales.call('GET', url), 403, 'tenant.outside_reach');
    }
    // Someone of another branch sees neither the tenant nor a reason.
    const other = await h.signedIn(stranger, ['SalesAdvanced', 'AdministrationBasic']);
    problem(await other.call('GET', `/api/v1/tenants/${grandchild.id}/children`), 404, 'resource.not_found');
    // Without customers.read the subtree is not visible either: 404.
    const buyer = await h.signedIn(h.k.root, ['CustomerBasic']);
    problem(await buyer.call('GET', `/api/v1/tenants/${grandchild.id}/children`), 404, 'resource.not_found');
  });
});
