import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { buildScene, type Scene } from './scene.js';

let h: HttpKit;
let sc: Scene;
beforeAll(async () => {
  h = await httpKit();
  sc = await buildScene(h);
});
afterAll(async () => h?.close());

const v1 = (p: string) => `/api/v1${p}`;

describe('every endpoint: an allowed and a forbidden call', () => {
  it('reads the own tenant, and refuses a caller without the permission', async () => {
    expect((await sc.admin.call('GET', v1(`/tenants/${sc.r.id}`))).json().id).toBe(sc.r.id);
    problem(await sc.clerk.call('PATCH', v1(`/tenants/${sc.r.id}`), { name: 'x' }), 403, 'grant.missing_permission');
    expect((await sc.admin.call('PATCH', v1(`/tenants/${sc.r.id}`), { name: 'Reseller R' })).json().name).toBe(
      'Reseller R',
    );
  });

  it('lists and creates children; a clerk may do neither', async () => {
    const created = await sc.admin.call('POST', v1(`/tenants/${sc.r.id}/children`), {
      kind: 'consumer',
      name: 'New customer',
      slug: 'new-customer',
      primaryUser: { loginName: 'boss', roles: ['CustomerBasic'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().primaryUser.roles).toEqual(['CustomerBasic']);
    expect(created.body).not.toMatch(/hash/i);
    const list = await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/children`));
    expect(list.json().items.map((t: { slug: string }) => t.slug)).toContain('new-customer');
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/children`)), 403, 'grant.missing_permission');
    problem(
      await sc.clerk.call('POST', v1(`/tenants/${sc.r.id}/children`), { kind: 'consumer', name: 'n', slug: 'nope' }),
      403,
    );
  });

  it('moves and deletes a customer; a clerk may not', async () => {
    const r2 = await h.k.aTenant(sc.r, 'reseller');
    const leaf = await h.k.aTenant(sc.r, 'consumer');
    problem(await sc.clerk.call('POST', v1(`/tenants/${leaf.id}/move`), { parentId: r2.id }), 403);
    const moved = await sc.admin.call('POST', v1(`/tenants/${leaf.id}/move`), { parentId: r2.id });
    expect(moved.json().parentId).toBe(r2.id);
    problem(await sc.admin.call('DELETE', v1(`/tenants/${r2.id}`)), 409, 'tenant.has_children');
    problem(await sc.clerk.call('DELETE', v1(`/tenants/${sc.c1.id}`)), 403);
    const gone = await h.k.aTenant(sc.r, 'consumer');
    expect((await sc.admin.call('DELETE', v1(`/tenants/${gone.id}`))).statusCode).toBe(204);
  });

  it('lists users with relation, search, state filter and cursor pagination', async () => {
    for (const login of ['page-a', 'page-b', 'page-c']) await h.k.aUserIn(sc.r, ['CustomerBasic'], { login });
    const first = await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/users?q=page-&limit=2`));
    expect(first.json().items.map((u: { loginName: string }) => u.loginName)).toEqual(['page-a', 'page-b']);
    expect(first.json().items[0].relation).toBe('own');
    const next = await sc.admin.call(
      'GET',
      v1(`/tenants/${sc.r.id}/users?q=page-&limit=2&cursor=${first.json().nextCursor}`),
    );
    expect(next.json()).toMatchObject({ items: [{ loginName: 'page-c' }], nextCursor: null });
    const locked = await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/users?state=locked`));
    expect(locked.json().items).toEqual([]);
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/users`)), 403, 'grant.missing_permission');
  });

  it('creates, reads, updates and deletes a user; a clerk may not', async () => {
    const created = await sc.admin.call('POST', v1(`/tenants/${sc.r.id}/users`), {
      loginName: 'crud',
      email: 'crud@example.com',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().user.id;
    expect(created.body).not.toMatch(/passwordHash|password_hash/);
    const read = await sc.admin.call('GET', v1(`/users/${id}`));
    expect(read.json()).toMatchObject({ loginName: 'crud', relation: 'own', rolesReadOnly: false });
    expect(read.headers.etag).toBe(`"${read.json().version}"`);
    problem(await sc.clerk.call('POST', v1(`/tenants/${sc.r.id}/users`), { loginName: 'nope' }), 403);
    problem(await sc.clerk.call('PATCH', v1(`/users/${id}`), { displayName: 'x' }), 403);
    expect((await sc.admin.call('PATCH', v1(`/users/${id}`), { displayName: 'Crud' })).json().displayName).toBe('Crud');
    problem(await sc.clerk.call('DELETE', v1(`/users/${id}`)), 403);
    expect((await sc.admin.call('DELETE', v1(`/users/${id}`))).statusCode).toBe(204);
    problem(await sc.admin.call('GET', v1(`/users/${id}`)), 404, 'resource.not_found');
  });

  it('sets roles with warnings; refuses a role the granter does not hold (R4) and a clerk', async () => {
    const u = await h.k.aUserIn(sc.r, []);
    const ok = await sc.admin.call('PUT', v1(`/users/${u.id}/roles`), { roles: ['AdministrationBasic'] });
    expect(ok.json().warnings.map((w: { code: string }) => w.code)).toContain('advisory.admin_role_on_secondary');
    problem(
      await sc.admin.call('PUT', v1(`/users/${u.id}/roles`), { roles: ['OperationBasic'] }),
      403,
      'grant.operation_role_outside_provider',
    );
    problem(await sc.clerk.call('PUT', v1(`/users/${u.id}/roles`), { roles: [] }), 403, 'grant.requires_admin');
  });

  it('locks, unlocks and issues a reset link; a clerk may not', async () => {
    const u = await h.k.aUserIn(sc.r, ['CustomerBasic']);
    expect((await sc.admin.call('POST', v1(`/users/${u.id}/lock`))).json().state).toBe('locked');
    expect((await sc.admin.call('POST', v1(`/users/${u.id}/unlock`))).json().state).toBe('active');
    const reset = await sc.admin.call('POST', v1(`/users/${u.id}/password-reset`));
    expect(reset.statusCode).toBe(202);
    expect(reset.json().delivery).toBe('link');
    for (const action of ['lock', 'unlock', 'password-reset']) {
      problem(await sc.clerk.call('POST', v1(`/users/${u.id}/${action}`)), 403, 'grant.missing_permission');
    }
  });

  it('offers, lists, accepts and ends a share; a clerk may not', async () => {
    const u = await h.k.aUserIn(sc.r, ['CustomerBasic']);
    problem(await sc.clerk.call('POST', v1(`/users/${u.id}/shares`), { tenantId: sc.c1.id }), 403);
    const offered = await sc.admin.call('POST', v1(`/users/${u.id}/shares`), { tenantId: sc.c1.id });
    expect(offered.statusCode).toBe(201);
    const shareId = offered.json().share.id;
    // Each side sees whom the share is with (issue 21 #3).
    expect((await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/shares`))).json().items[0]).toMatchObject({
      direction: 'outgoing',
      otherTenant: { id: sc.c1.id, slug: sc.c1.slug, name: sc.c1.name },
      acceptedRoles: null,
    });
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/shares`)), 403);
    const c1Admin = await h.signedIn(sc.c1, ['AdministrationBasic']);
    const c1Clerk = await h.signedIn(sc.c1, ['CustomerBasic']);
    problem(await c1Clerk.call('POST', v1(`/shares/${shareId}/accept`)), 403);
    expect((await c1Admin.call('POST', v1(`/shares/${shareId}/accept`))).json().share.status).toBe('active');
    expect((await c1Admin.call('GET', v1(`/tenants/${sc.c1.id}/shares`))).json().items[0]).toMatchObject({
      direction: 'incoming',
      otherTenant: { id: sc.r.id, slug: sc.r.slug },
      acceptedRoles: ['CustomerBasic'],
    });
    problem(await c1Clerk.call('DELETE', v1(`/shares/${shareId}`)), 403);
    expect((await sc.admin.call('DELETE', v1(`/shares/${shareId}`))).json().status).toBe('ended');
  });

  it('reads roles, permissions, audit and advisories; a clerk reads no audit', async () => {
    expect((await sc.clerk.call('GET', v1('/roles'))).json().items.length).toBeGreaterThan(5);
    expect((await sc.clerk.call('GET', v1('/permissions'))).json().items.map((p: { key: string }) => p.key)).toContain(
      'users.create',
    );
    problem(await h.app.inject({ method: 'GET', url: v1('/roles') }), 401, 'auth.unauthenticated');
    const audit = await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/audit?limit=2`));
    expect(audit.json().items).toHaveLength(2);
    const older = await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/audit?limit=2&cursor=${audit.json().nextCursor}`));
    expect(older.json().items[0].seq).toBeLessThan(audit.json().items[1].seq + 0.5);
    const filtered = await sc.admin.call(
      'GET',
      v1(`/tenants/${sc.r.id}/audit?action=auth.login_succeeded&actor=${sc.admin.user.id}`),
    );
    expect(filtered.json().items.every((e: { action: string }) => e.action === 'auth.login_succeeded')).toBe(true);
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/audit`)), 403);
    expect((await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/advisories`))).statusCode).toBe(200);
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/advisories`)), 403);
  });

  it('manages companies and fields; a clerk may not', async () => {
    const co = await sc.admin.call('POST', v1(`/tenants/${sc.r.id}/companies`), { name: 'R Holding' });
    expect(co.statusCode).toBe(201);
    expect((await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/companies`))).json().items).toHaveLength(1);
    problem(await sc.clerk.call('POST', v1(`/tenants/${sc.r.id}/companies`), { name: 'x' }), 403);
    problem(await sc.clerk.call('GET', v1(`/tenants/${sc.r.id}/companies`)), 403);
    problem(await sc.clerk.call('DELETE', v1(`/tenants/${sc.r.id}/companies/${co.json().id}`)), 403);
    expect((await sc.admin.call('DELETE', v1(`/tenants/${sc.r.id}/companies/${co.json().id}`))).statusCode).toBe(204);
    const f = await sc.admin.call('POST', v1(`/tenants/${sc.r.id}/fields`), {
      key: 'badge',
      label: 'Badge',
      type: 'number',
    });
    expect(f.statusCode).toBe(201);
    expect((await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/fields`))).json().items[0].key).toBe('badge');
    problem(await sc.clerk.call('POST', v1(`/tenants/${sc.r.id}/fields`), { key: 'x', label: 'x', type: 'text' }), 403);
    problem(await sc.clerk.call('DELETE', v1(`/tenants/${sc.r.id}/fields/${f.json().id}`)), 403);
    expect((await sc.admin.call('DELETE', v1(`/tenants/${sc.r.id}/fields/${f.json().id}`))).statusCode).toBe(204);
  });

  it('answers health and readiness without sign-in', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });
});

describe('bad input answers problem+json 4xx and writes nothing', () => {
  const writes = (): [string, string, Record<string, unknown>][] => [
    ['POST', '/auth/login', { tenant: 'x', username: 'y', password: 'z' }],
    ['POST', '/auth/set-password', { token: 't', newPassword: 'p' }],
    [
      'POST',
      '/signup',
      { supplier: 's', tenantName: 'n', tenantSlug: 'n', loginName: 'l', email: 'a@b.cd', password: 'p' },
    ],
    ['POST', '/signup/confirm', { token: 't' }],
    ['PUT', '/me/acting-tenant', { tenantId: sc.r.id }],
    ['POST', '/me/password', { currentPassword: 'a', newPassword: 'b' }],
    ['POST', '/me/tokens', { name: 'n' }],
    ['PATCH', `/tenants/${sc.r.id}`, { name: 'n' }],
    ['POST', `/tenants/${sc.c1.id}/move`, { parentId: sc.r.id }],
    ['POST', `/tenants/${sc.r.id}/children`, { kind: 'consumer', name: 'n', slug: 'bad-input' }],
    ['POST', `/tenants/${sc.r.id}/users`, { loginName: 'bad-input' }],
    ['PATCH', `/users/${sc.member.id}`, { displayName: 'n' }],
    ['PUT', `/users/${sc.member.id}/roles`, { roles: [] }],
    ['POST', `/users/${sc.member.id}/shares`, { tenantId: sc.c1.id }],
    ['POST', `/tenants/${sc.r.id}/companies`, { name: 'n' }],
    ['POST', `/tenants/${sc.r.id}/fields`, { key: 'k', label: 'l', type: 'text' }],
  ];

  it('refuses malformed JSON, unknown fields, wrong types, oversize bodies and other media types', async () => {
    const before = await h.k.counts();
    for (const [method, path, valid] of writes()) {
      const send = (payload: string, type = 'application/json') =>
        h.app.inject({
          method: method as 'POST',
          url: v1(path),
          payload,
          cookies: { kontor_session: sc.admin.cookie },
          headers: { 'content-type': type, 'x-csrf-token': sc.admin.csrf },
        });
      const first = Object.keys(valid)[0] as string;
      problem(await send('{"broken": '), 400, 'validation.invalid');
      const unknown = problem(await send(JSON.stringify({ ...valid, isAdmin: true })), 400, 'validation.invalid');
      expect(unknown.errors).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
      problem(await send(JSON.stringify({ ...valid, [first]: 12345 })), 400, 'validation.invalid');
      problem(await send('{"__proto__": {"x": 1}}'), 400, 'validation.invalid');
      problem(await send(JSON.stringify({ ...valid, [first]: 'x'.repeat(70_000) })), 413, 'request.too_large');
      problem(await send('a=b', 'application/x-www-form-urlencoded'), 415, 'request.unsupported_media_type');
      problem(await send('plain', 'text/plain'), 415, 'request.unsupported_media_type');
    }
    expect(await h.k.counts()).toEqual(before);
  });

  it('refuses malformed JSON on body-less writes and malformed ids on every id route', async () => {
    const before = await h.k.counts();
    const u = sc.member.id;
    for (const path of [
      `/users/${u}/lock`,
      `/users/${u}/unlock`,
      `/users/${u}/password-reset`,
      `/shares/${sc.sShareId}/accept`,
      '/auth/logout',
    ]) {
      const res = await h.app.inject({
        method: 'POST',
        url: v1(path),
        payload: '{"oops"',
        cookies: { kontor_session: sc.admin.cookie },
        headers: { 'content-type': 'application/json', 'x-csrf-token': sc.admin.csrf },
      });
      problem(res, 400, 'validation.invalid');
    }
    const bad = 'not-a-uuid';
    const routes: [string, string][] = [
      ['GET', `/tenants/${bad}`],
      ['DELETE', `/tenants/${bad}`],
      ['GET', `/tenants/${bad}/children`],
      ['GET', `/tenants/${bad}/users`],
      ['GET', `/users/${bad}`],
      ['DELETE', `/users/${bad}`],
      ['POST', `/users/${bad}/lock`],
      ['POST', `/shares/${bad}/accept`],
      ['DELETE', `/shares/${bad}`],
      ['GET', `/tenants/${bad}/audit`],
      ['GET', `/tenants/${bad}/advisories`],
      ['GET', `/tenants/${bad}/shares`],
      ['DELETE', `/tenants/${sc.r.id}/companies/${bad}`],
      ['DELETE', `/tenants/${sc.r.id}/fields/${bad}`],
      ['DELETE', `/me/tokens/${bad}`],
    ];
    for (const [method, path] of routes)
      problem(await sc.admin.call(method as 'GET', v1(path)), 400, 'validation.invalid');
    expect(await h.k.counts()).toEqual(before);
  });

  it('refuses malformed ids, query values and If-Match headers', async () => {
    const e = problem(await sc.admin.call('GET', v1('/users/not-a-uuid')), 400, 'validation.invalid');
    expect(e.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    problem(await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/users?limit=9999`)), 400, 'validation.invalid');
    problem(await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/users?colour=red`)), 400, 'validation.invalid');
    problem(await sc.admin.call('GET', v1(`/tenants/${sc.r.id}/users?cursor=garbage`)), 400, 'validation.invalid');
    problem(
      await sc.admin.call('PATCH', v1(`/tenants/${sc.r.id}`), { name: 'n' }, { headers: { 'if-match': 'seven' } }),
      400,
    );
    problem(await sc.admin.call('GET', v1('/no/such/route')), 404, 'resource.not_found');
  });
});
