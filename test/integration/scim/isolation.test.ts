import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptShare, releaseShare } from '../../../src/app/shares.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { entraGroup, entraPatch, entraUser } from './entra.js';
import { ADMIN, type ScimKit, scimError, scimKit, scimOk } from './scim-kit.js';

let s: ScimKit;
let child: Tenant;
let childToken: string;
let childPrimary: User;
let sharedIn: User;
let stranger: User;

beforeAll(async () => {
  s = await scimKit();
  const { k } = s.h;
  child = await k.aTenant(s.tenant, 'consumer');
  childPrimary = await k.aUserIn(child, ['CustomerBasic'], { type: 'primary' });
  const childAdmin = await s.h.signedIn(child, ADMIN);
  childToken = (await childAdmin.call('POST', '/api/v1/me/tokens', { name: 'Entra' })).json().token;
  // A user of the parent shared into the child: visible to the child's API, provisioned by its home.
  sharedIn = await k.aUserIn(s.tenant, ['CustomerBasic']);
  const { share } = await releaseShare(k.deps, await k.ctx(s.admin.user), { userId: sharedIn.id, tenantId: child.id });
  await acceptShare(k.deps, await k.ctx(childAdmin.user), share.id);
  stranger = await k.aUserIn(await k.aTenant(k.root, 'reseller'), []);
});
afterAll(() => s.close());

describe('SCIM sees only the tenant’s own users', () => {
  it('answers 404 for a customer’s primary user, which the reseller’s API can reach', async () => {
    scimError(await s.scim('GET', `/Users/${childPrimary.id}`), 404);
    const off = entraPatch({ op: 'Replace', path: 'active', value: 'False' });
    scimError(await s.scim('PATCH', `/Users/${childPrimary.id}`, off), 404);
    scimError(await s.scim('DELETE', `/Users/${childPrimary.id}`), 404);
    const still = await s.h.k.deps.store.read((r) => r.users.findInTenant(child.id, childPrimary.id));
    expect(still?.state).toBe('active');
  });

  it('neither lists nor changes a user shared into the tenant', async () => {
    const opts = { token: childToken, slug: child.slug };
    const list = scimOk(await s.scim('GET', '/Users?count=200', undefined, opts));
    const ids = list.Resources.map((u: { id: string }) => u.id);
    expect(ids).toContain(childPrimary.id);
    expect(ids).not.toContain(sharedIn.id);
    scimError(await s.scim('GET', `/Users/${sharedIn.id}`, undefined, opts), 404);
    const group = entraGroup('Child GmbH', [sharedIn.id]);
    scimError(await s.scim('POST', '/Groups', group, opts), 400, 'invalidValue');
  });

  it('answers 404 for another tenant’s user and for ids that are no ids', async () => {
    scimError(await s.scim('GET', `/Users/${stranger.id}`), 404);
    scimError(await s.scim('PUT', `/Users/${stranger.id}`, entraUser('x@contoso.com')), 404);
    scimError(await s.scim('GET', '/Users/not-a-uuid'), 404);
    scimError(await s.scim('GET', '/Groups/not-a-uuid'), 404);
  });
});

describe('SCIM under concurrent requests', () => {
  it('keeps every membership when Entra adds one user to several groups at once', async () => {
    const user = scimOk(await s.scim('POST', '/Users', entraUser('parallel.user@contoso.com')), 201);
    const groups: string[] = [];
    for (const n of [1, 2, 3, 4, 5, 6])
      groups.push(scimOk(await s.scim('POST', '/Groups', entraGroup(`P${n}`)), 201).id);
    const add = entraPatch({ op: 'Add', path: 'members', value: [{ value: user.id }] });
    const results = await Promise.all(groups.map((g) => s.scim('PATCH', `/Groups/${g}`, add)));
    // Each request waits for the user's row instead of failing with 409/412 or losing an add.
    expect(results.map((r) => r.statusCode)).toEqual(groups.map(() => 200));
    const stored = await s.h.k.deps.store.read((r) => r.users.findInTenant(s.tenant.id, user.id));
    expect([...(stored?.companyIds ?? [])].sort()).toEqual([...groups].sort());
  });

  it('creates one user when Entra sends the same POST twice at once', async () => {
    const body = entraUser('twice.sent@contoso.com');
    const results = await Promise.all([s.scim('POST', '/Users', body), s.scim('POST', '/Users', body)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.statusCode === 409);
    if (loser) scimError(loser, 409, 'uniqueness');
  });
});
