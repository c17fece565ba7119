import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/apps/create-app.js';
import { appsDeps } from '../../../src/compose.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';

// Issue 15 #2: a tenant's apps are its own. Nobody sees or changes another tenant's apps (404
// as for a missing one); inside the tenant only apps.manage does anything.
let h: HttpKit;
let r: Tenant;
let c1: Tenant;
let s: Tenant;
let rAdmin: Client;
let sAdmin: Client;
let sApp: { id: string; clientSecret: string };
const shop = { name: 'Shop', redirectUris: ['https://shop.example/callback'] };
beforeAll(async () => {
  h = await httpKit();
  r = await h.k.aTenant(h.k.root, 'reseller');
  c1 = await h.k.aTenant(r, 'consumer');
  s = await h.k.aTenant(h.k.root, 'reseller');
  rAdmin = await h.signedIn(r, ADMIN_ROLES);
  sAdmin = await h.signedIn(s, ADMIN_ROLES);
  sApp = (await sAdmin.call('POST', `/api/v1/tenants/${s.id}/apps`, shop)).json();
});
afterAll(async () => h?.close());

const hashOf = async (id: string) =>
  await h.k.db.kysely.selectFrom('oidc_apps').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('tenant isolation', () => {
  it('scopes changes in the repository too: another owner’s app is neither changed nor deleted', async () => {
    const before = await hashOf(sApp.id);
    await expect(
      h.k.deps.store.transaction((x) => x.apps.update(r.id, sApp.id, { name: 'Mine now' }, new Date())),
    ).rejects.toMatchObject({ code: 'resource.not_found' });
    await expect(
      h.k.deps.store.transaction((x) => x.apps.update(null, sApp.id, { name: 'Mine now' }, new Date())),
    ).rejects.toMatchObject({ code: 'resource.not_found' });
    expect(await h.k.deps.store.transaction((x) => x.apps.delete(r.id, sApp.id))).toBe(false);
    expect(await h.k.deps.store.transaction((x) => x.apps.delete(null, sApp.id))).toBe(false);
    expect(await hashOf(sApp.id)).toEqual(before);
  });

  it('answers 404 for another tenant’s apps, whichever path names them, and changes nothing', async () => {
    const before = await hashOf(sApp.id);
    problem(await rAdmin.call('GET', `/api/v1/tenants/${s.id}/apps`), 404, 'resource.not_found');
    problem(await rAdmin.call('POST', `/api/v1/tenants/${s.id}/apps`, shop), 404, 'resource.not_found');
    const own = `/api/v1/tenants/${r.id}/apps/${sApp.id}`;
    problem(await rAdmin.call('GET', own), 404, 'resource.not_found');
    problem(await rAdmin.call('PATCH', own, { name: 'Mine now' }), 404, 'resource.not_found');
    problem(await rAdmin.call('POST', `${own}/secret`), 404, 'resource.not_found');
    problem(await rAdmin.call('DELETE', own), 404, 'resource.not_found');
    const missing = await rAdmin.call('GET', `/api/v1/tenants/${r.id}/apps/app_doesnotexist`);
    expect(missing.json().detail).toBe(problem(await rAdmin.call('GET', own), 404).detail);
    expect(await hashOf(sApp.id)).toEqual(before);
    expect((await rAdmin.call('GET', `/api/v1/tenants/${r.id}/apps`)).json().items).toEqual([]);
    expect((await sAdmin.call('GET', `/api/v1/tenants/${s.id}/apps`)).json().items).toHaveLength(1);
  });

  it('works only in the acting tenant: a customer below is named, not entered', async () => {
    problem(await rAdmin.call('GET', `/api/v1/tenants/${c1.id}/apps`), 403, 'tenant.outside_reach');
    problem(await rAdmin.call('POST', `/api/v1/tenants/${c1.id}/apps`, shop), 403, 'tenant.outside_reach');
  });

  it('keeps the operator’s apps away from the root provider’s administrators', async () => {
    const op = await createApp(appsDeps(h.k), null, 'operator', { ...shop, name: 'Operator app', firstParty: true });
    const rootAdmin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const list = await rootAdmin.call('GET', `/api/v1/tenants/${h.k.root.id}/apps`);
    expect(list.json().items).toEqual([]);
    problem(await rootAdmin.call('GET', `/api/v1/tenants/${h.k.root.id}/apps/${op.id}`), 404, 'resource.not_found');
    problem(await rootAdmin.call('DELETE', `/api/v1/tenants/${h.k.root.id}/apps/${op.id}`), 404);
    expect(await h.k.deps.store.read((x) => x.apps.findById(op.id))).toBeDefined();
  });

  it('audits in the owning tenant’s log only', async () => {
    const events = await h.k.deps.store.read((x) => x.audit.list(s.id, { targetId: sApp.id, limit: 10 }));
    expect(events.map((e) => e.action)).toEqual(['app.created']);
    const inR = await h.k.deps.store.read((x) => x.audit.list(r.id, { targetId: sApp.id, limit: 10 }));
    expect(inR).toEqual([]);
  });
});

describe('permission apps.manage', () => {
  it('refuses every action to a user without it', async () => {
    for (const roles of [['CustomerBasic'], ['AdministrationBasic']]) {
      const u = await h.signedIn(s, roles);
      const base = `/api/v1/tenants/${s.id}/apps`;
      for (const [method, url, body] of [
        ['GET', base],
        ['POST', base, shop],
        ['GET', `${base}/${sApp.id}`],
        ['PATCH', `${base}/${sApp.id}`, { name: 'x' }],
        ['POST', `${base}/${sApp.id}/secret`],
        ['DELETE', `${base}/${sApp.id}`],
      ] as const) {
        const res = await u.call(method, url, body);
        expect(problem(res, 403, 'grant.missing_permission').detail).toContain('apps.manage');
      }
    }
    expect((await hashOf(sApp.id)).version).toBe(1);
  });

  it('needs a sign-in', async () => {
    problem(await h.app.inject({ method: 'GET', url: `/api/v1/tenants/${s.id}/apps` }), 401, 'auth.unauthenticated');
  });
});
