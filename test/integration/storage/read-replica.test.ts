import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

// The "replica" is the same PostgreSQL schema through a second pool: the data is the same, and
// the pool's counters tell which side answered. Replication lag itself is the HA cluster's
// business (`npm run test:ha`); here the routing is under test.
describe.runIf(process.env.DATABASE_URL)('DATABASE_READ_URL', () => {
  let k: TestKontor;
  let withReplica: Kontor;
  let app: FastifyInstance;
  let t: Tenant;
  beforeAll(async () => {
    k = await testKontor();
    withReplica = await createKontor({ ...k.config, databaseReadUrl: process.env.DATABASE_URL });
    app = await createHttpApp(withReplica, { logger: false });
    t = await k.aTenant(k.root, 'reseller');
  });
  afterAll(async () => {
    await app?.close();
    await withReplica?.close();
    await k?.close();
  });

  const stats = () => withReplica.readReplica?.stats() ?? { replica: -1, fallback: -1 };
  const cookiesOf = (res: LightMyRequestResponse) => Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
  async function session(login: string) {
    await k.aUserIn(t, ['AdministrationBasic', 'AdministrationAdvanced'], { login, password: TEST_PASSWORD });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: t.slug, username: login, password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    let cookies: Record<string, string> = cookiesOf(res);
    const csrf = res.json().csrfToken as string;
    return {
      async call(method: 'GET' | 'POST', url: string, payload?: object) {
        const r = await app.inject({
          method,
          url,
          cookies,
          ...(payload ? { payload } : {}),
          headers: method === 'POST' ? { 'x-csrf-token': csrf } : {},
        });
        cookies = { ...cookies, ...cookiesOf(r) };
        return r;
      },
    };
  }

  it('serves a session’s lists from the replica, and its own writes back from the primary', async () => {
    const a = await session('reader-a');
    const before = stats();
    expect((await a.call('GET', `/api/v1/tenants/${t.id}/users`)).statusCode).toBe(200);
    expect((await a.call('GET', `/api/v1/tenants/${t.id}/audit`)).statusCode).toBe(200);
    expect(stats().replica).toBe(before.replica + 2);

    const created = await a.call('POST', `/api/v1/tenants/${t.id}/users`, {
      loginName: 'fresh-one',
      displayName: 'Fresh One',
    });
    expect(created.statusCode).toBe(201);
    const afterWrite = stats();
    const list = await a.call('GET', `/api/v1/tenants/${t.id}/users?q=fresh-one`);
    expect(list.json().items.map((u: { loginName: string }) => u.loginName)).toEqual(['fresh-one']);
    expect(stats().replica).toBe(afterWrite.replica); // read-your-writes: the primary answered

    const b = await session('reader-b'); // another session, no recent write: the replica again
    expect((await b.call('GET', `/api/v1/tenants/${t.id}/users`)).statusCode).toBe(200);
    expect(stats().replica).toBe(afterWrite.replica + 1);
  });

  it('never uses the replica for sign-in, sessions, decisions or API tokens', async () => {
    const a = await session('never-a');
    const before = stats();
    expect((await a.call('GET', '/api/v1/me')).statusCode).toBe(200);
    const token = (await a.call('POST', '/api/v1/me/tokens', { name: 'app' })).json().token as string;
    const bearer = { authorization: `Bearer ${token}` };
    const list = await app.inject({ method: 'GET', url: `/api/v1/tenants/${t.id}/users`, headers: bearer });
    expect(list.statusCode).toBe(200);
    const check = await app.inject({
      method: 'POST',
      url: '/api/v1/check',
      headers: bearer,
      payload: { userId: k.rootAdmin.id, tenantId: t.id, permission: 'users.read' },
    });
    expect(check.statusCode).toBeLessThan(500);
    expect(stats()).toEqual(before);
  });

  it('falls back to the primary when the replica cannot be reached', async () => {
    const down = await createKontor({
      ...k.config,
      databaseReadUrl: 'postgres://postgres@127.0.0.1:1/test',
    });
    const other = await createHttpApp(down, { logger: false });
    try {
      await k.aUserIn(t, ['AdministrationBasic'], { login: 'fallback-user', password: TEST_PASSWORD });
      const login = await other.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: t.slug, username: 'fallback-user', password: TEST_PASSWORD },
      });
      const cookies = cookiesOf(login);
      const res = await other.inject({ method: 'GET', url: `/api/v1/tenants/${t.id}/users`, cookies });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBeGreaterThan(0);
      expect(down.readReplica?.stats()).toEqual({ replica: 0, fallback: 1 });
      // The status endpoint's probe says so, and the working replica answers it.
      expect(await down.readReplica?.probe()).toBe(false);
      expect(await withReplica.readReplica?.probe()).toBe(true);
    } finally {
      await other.close();
      await down.close();
    }
  });
});
