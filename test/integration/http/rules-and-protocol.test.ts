import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/compose-http.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('R7: operation roles reach only system endpoints', () => {
  it('answers grant.system_only on tenant data, but serves roles and health', async () => {
    const op = await h.signedIn(h.k.root, ['OperationAdvanced']);
    const root = h.k.root.id;
    for (const path of [
      `/tenants/${root}`,
      `/tenants/${root}/users`,
      `/tenants/${root}/children`,
      `/tenants/${root}/shares`,
      `/tenants/${root}/advisories`,
      `/tenants/${root}/companies`,
    ]) {
      problem(await op.call('GET', `/api/v1${path}`), 403, 'grant.system_only');
    }
    problem(await op.call('POST', `/api/v1/tenants/${root}/users`, { loginName: 'op-made' }), 403, 'grant.system_only');
    expect((await op.call('GET', '/api/v1/roles')).statusCode).toBe(200);
    expect((await op.call('GET', '/api/v1/system/health')).json()).toEqual({ status: 'ok', database: 'ok' });
    const audit = (await op.call('GET', `/api/v1/tenants/${root}/audit`)).json();
    expect(audit.items.every((e: { action: string }) => e.action.startsWith('system.'))).toBe(true);
    const customer = await h.signedIn(h.k.root, ['CustomerBasic']);
    problem(await customer.call('GET', '/api/v1/system/health'), 403, 'grant.missing_permission');
  });
});

describe('R6 and the acting tenant', () => {
  it('shows a shared user’s roles read-only in the importing tenant, switches there, and ends with the share', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.k.aTenant(r, 'consumer');
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    const cAdmin = await h.signedIn(c, ['AdministrationBasic']);
    const tech = await h.signedIn(r, ['CustomerBasic']);
    const shareId = (await rAdmin.call('POST', `/api/v1/users/${tech.user.id}/shares`, { tenantId: c.id })).json().share
      .id;
    await cAdmin.call('POST', `/api/v1/shares/${shareId}/accept`);
    const listed = (await cAdmin.call('GET', `/api/v1/tenants/${c.id}/users`)).json().items;
    expect(listed.find((u: { id: string }) => u.id === tech.user.id)).toMatchObject({
      relation: 'shared',
      rolesReadOnly: true,
      roles: ['CustomerBasic'],
    });
    const before = await h.k.counts();
    problem(
      await cAdmin.call('PUT', `/api/v1/users/${tech.user.id}/roles`, { roles: [] }),
      403,
      'grant.shared_user_read_only',
    );
    expect(await h.k.counts()).toEqual(before);

    const me = (await tech.call('GET', '/api/v1/me')).json();
    expect(me.tenants.map((t: { id: string; relation: string }) => [t.id, t.relation])).toEqual([
      [r.id, 'home'],
      [c.id, 'shared'],
    ]);
    expect((await tech.call('PUT', '/api/v1/me/acting-tenant', { tenantId: c.id })).statusCode).toBe(204);
    expect((await tech.call('GET', '/api/v1/me')).json().actingTenant.id).toBe(c.id);
    problem(await tech.call('PUT', '/api/v1/me/acting-tenant', { tenantId: h.k.root.id }), 404);
    await rAdmin.call('DELETE', `/api/v1/shares/${shareId}`);
    problem(await tech.call('GET', '/api/v1/me'), 401);
  });
});

describe('R8', () => {
  it('refuses a password change to a user whose roles lack account.password.change', async () => {
    const op = await h.signedIn(h.k.root, ['OperationBasic']);
    const res = await op.call('POST', '/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase here',
    });
    problem(res, 403, 'grant.password_change_not_allowed');
  });
});

describe('Idempotency-Key and If-Match', () => {
  it('replays the first answer for the same key and body, and refuses another body with 422', async () => {
    const a = await h.signedIn(h.k.root, ADMIN_ROLES);
    const url = `/api/v1/tenants/${h.k.root.id}/companies`;
    const post = (name: string, key = 'key-1') =>
      a.call('POST', url, { name }, { headers: { 'idempotency-key': key } });
    const first = await post('Once GmbH');
    const before = await h.k.counts();
    const again = await post('Once GmbH');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    problem(await post('Other GmbH'), 422, 'request.idempotency_mismatch');
    expect(await h.k.counts()).toEqual(before);
    expect((await post('Twice GmbH', 'key-2')).statusCode).toBe(201);
  }, 30_000);

  it('runs racing requests with one key once', async () => {
    const a = await h.signedIn(h.k.root, ADMIN_ROLES);
    const url = `/api/v1/tenants/${h.k.root.id}/companies`;
    const before = await h.k.count('companies');
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => a.call('POST', url, { name: 'Race AG' }, { headers: { 'idempotency-key': 'race' } })),
    );
    expect(await h.k.count('companies')).toBe(before + 1);
    for (const res of answers) expect([201, 409]).toContain(res.statusCode);
    expect(answers.filter((r) => r.statusCode === 201).length).toBeGreaterThanOrEqual(1);
  });

  it('answers 412 for a stale If-Match on tenants, users and roles', async () => {
    const a = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, []);
    const read = await a.call('GET', `/api/v1/users/${u.id}`);
    const tag = read.headers.etag as string;
    const patched = await a.call(
      'PATCH',
      `/api/v1/users/${u.id}`,
      { displayName: 'One' },
      { headers: { 'if-match': tag } },
    );
    expect(patched.statusCode).toBe(200);
    problem(
      await a.call('PATCH', `/api/v1/users/${u.id}`, { displayName: 'Two' }, { headers: { 'if-match': tag } }),
      412,
      'resource.stale',
    );
    problem(
      await a.call(
        'PUT',
        `/api/v1/users/${u.id}/roles`,
        { roles: ['CustomerBasic'] },
        { headers: { 'if-match': tag } },
      ),
      412,
      'resource.stale',
    );
    const c = await h.k.aTenant(h.k.root, 'consumer');
    const t = await a.call('GET', `/api/v1/tenants/${c.id}`);
    await a.call(
      'PATCH',
      `/api/v1/tenants/${c.id}`,
      { status: 'suspended' },
      { headers: { 'if-match': t.headers.etag as string } },
    );
    problem(
      await a.call(
        'PATCH',
        `/api/v1/tenants/${c.id}`,
        { status: 'active' },
        { headers: { 'if-match': t.headers.etag as string } },
      ),
      412,
      'resource.stale',
    );
  });
});

describe('OpenAPI, docs and logs', () => {
  it('serves an OpenAPI 3.1 document with every contract path, and the reference at /docs', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/auth/login',
      '/auth/logout',
      '/me',
      '/me/acting-tenant',
      '/tenants/{id}',
      '/tenants/{id}/children',
      '/tenants/{id}/users',
      '/users/{id}',
      '/users/{id}/roles',
      '/users/{id}/lock',
      '/users/{id}/unlock',
      '/users/{id}/password-reset',
      '/users/{id}/shares',
      '/tenants/{id}/shares',
      '/shares/{id}/accept',
      '/shares/{id}',
      '/roles',
      '/permissions',
      '/tenants/{id}/audit',
      '/tenants/{id}/advisories',
      '/tenants/{id}/companies',
      '/tenants/{id}/fields',
    ]) {
      expect(doc.paths[`/api/v1${p}`], p).toBeDefined();
    }
    expect(
      doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.additionalProperties,
    ).toBe(false);
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('uses a Secure __Host- cookie when the public URL is https', async () => {
    const app = await createHttpApp({ ...h.k, config: { ...h.k.config, secureCookies: true } }, { logger: false });
    try {
      await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'secure-cookie' });
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: h.k.root.slug, username: 'secure-cookie', password: TEST_PASSWORD },
      });
      expect(login.cookies[0]).toMatchObject({
        name: '__Host-kontor_session',
        secure: true,
        httpOnly: true,
        path: '/',
      });
    } finally {
      await app.close();
    }
  });

  it('writes structured logs with request ids and without passwords, cookies or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const app = await createHttpApp(h.k, { logger: { level: 'info', stream }, mail: { send: async () => {} } });
    try {
      const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'logged' });
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: h.k.root.slug, username: u.loginName, password: TEST_PASSWORD },
      });
      const cookie = login.cookies[0]?.value as string;
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        cookies: { kontor_session: cookie },
        headers: { authorization: 'Bearer kt_secret-looking' },
      });
      expect(res.headers['x-request-id']).toBeTruthy();
      const log = lines.join('');
      expect(log).toContain(String(res.headers['x-request-id']));
      for (const secret of [TEST_PASSWORD, cookie, 'kt_secret-looking', login.json().csrfToken])
        expect(log).not.toContain(secret);
    } finally {
      await app.close();
    }
  });
});
