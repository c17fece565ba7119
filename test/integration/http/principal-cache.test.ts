import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';

// Sessions and tokens are resolved once and then served from a per-process cache. These tests
// change the rows behind the cache with plain SQL — no use case, no in-process invalidation —
// so only the version counter the triggers raise can tell the cache that it is stale.
describe('the principal cache follows every change on the very next request', () => {
  let kit: HttpKit;
  let t: Tenant;
  beforeAll(async () => {
    kit = await httpKit();
    t = await kit.k.aTenant(kit.k.root, 'reseller');
  });
  afterAll(async () => kit?.close());
  const db = () => kit.k.db.kysely;

  it('shows a role revoked behind its back in /me and in the permission checks', async () => {
    const c = await kit.signedIn(t, ['AdministrationBasic', 'Marketing']);
    expect((await c.call('GET', '/api/v1/me')).json().permissions).toContain('marketing.leads.read');
    await c.call('GET', '/api/v1/me'); // served from the cache
    await sql`DELETE FROM user_roles WHERE user_id = ${c.user.id} AND role_key = 'Marketing'`.execute(db());
    expect((await c.call('GET', '/api/v1/me')).json().permissions).not.toContain('marketing.leads.read');
  });

  it('shows a renamed user in /me at once', async () => {
    const c = await kit.signedIn(t, ['CustomerBasic']);
    expect((await c.call('GET', '/api/v1/me')).json().user.displayName).not.toBe('Renamed');
    await sql`UPDATE users SET display_name = 'Renamed', version = version + 1 WHERE id = ${c.user.id}`.execute(db());
    expect((await c.call('GET', '/api/v1/me')).json().user.displayName).toBe('Renamed');
  });

  it('refuses a session revoked or a user locked behind its back', async () => {
    const c = await kit.signedIn(t, ['CustomerBasic']);
    expect((await c.call('GET', '/api/v1/me')).statusCode).toBe(200);
    await sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${c.user.id}`.execute(db());
    problem(await c.call('GET', '/api/v1/me'), 401, 'auth.unauthenticated');

    const d = await kit.signedIn(t, ['CustomerBasic']);
    expect((await d.call('GET', '/api/v1/me')).statusCode).toBe(200);
    await sql`UPDATE users SET state = 'locked' WHERE id = ${d.user.id}`.execute(db());
    problem(await d.call('GET', '/api/v1/me'), 401, 'auth.unauthenticated');
  });

  it('refuses an API token revoked behind its back', async () => {
    const c = await kit.signedIn(t, ['CustomerBasic']);
    const token = (await c.call('POST', '/api/v1/me/tokens', { name: 'cached' })).json();
    const bearer = { authorization: `Bearer ${token.token}` };
    expect((await kit.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode).toBe(200);
    await sql`UPDATE api_tokens SET revoked_at = now() WHERE id = ${token.id}`.execute(db());
    problem(await kit.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer }), 401, 'auth.unauthenticated');
  });

  it('ends acting through a share when the share runs out, without any write', async () => {
    const consumer = await kit.k.aTenant(t, 'consumer');
    const c = await kit.signedIn(t, ['CustomerBasic']);
    const now = kit.clock.now();
    await kit.k.anAcceptedShare(c.user, consumer, { now, expiresAt: new Date(now.getTime() + 60_000) });
    const me = (await c.call('GET', '/api/v1/me')).json();
    expect(me.tenants.map((x: { id: string }) => x.id)).toContain(consumer.id);
    expect((await c.call('PUT', '/api/v1/me/acting-tenant', { tenantId: consumer.id })).statusCode).toBe(204);
    expect((await c.call('GET', '/api/v1/me')).json().actingTenant.id).toBe(consumer.id);
    kit.clock.advance(61);
    problem(await c.call('GET', '/api/v1/me'), 401, 'auth.unauthenticated');
  });

  it('drops a share that ran out from the tenant list of /me', async () => {
    const consumer = await kit.k.aTenant(t, 'consumer');
    const c = await kit.signedIn(t, ['CustomerBasic']);
    const now = kit.clock.now();
    await kit.k.anAcceptedShare(c.user, consumer, { now, expiresAt: new Date(now.getTime() + 30_000) });
    const ids = async () => (await c.call('GET', '/api/v1/me')).json().tenants.map((x: { id: string }) => x.id);
    expect(await ids()).toContain(consumer.id);
    kit.clock.advance(31);
    expect(await ids()).not.toContain(consumer.id);
  });
});

// Two server instances on one PostgreSQL schema, each with its own cache: what the client saw
// acknowledged by one holds on the other at its very next request, with no waiting.
describe.runIf(process.env.DATABASE_URL)('the principal cache across two instances', () => {
  let kit: HttpKit;
  let other: Kontor;
  let b: Awaited<ReturnType<typeof createHttpApp>>;
  let t: Tenant;
  beforeAll(async () => {
    kit = await httpKit();
    other = await createKontor(kit.k.config);
    b = await createHttpApp(other, { logger: false });
    t = await kit.k.aTenant(kit.k.root, 'reseller');
  });
  afterAll(async () => {
    await b?.close();
    await other?.close();
    await kit?.close();
  });
  const onB = (cookie: string) => b.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } });

  it('refuses on B the session logged out on A', async () => {
    const c = await kit.signedIn(t, ['CustomerBasic']);
    expect((await onB(c.cookie)).statusCode).toBe(200);
    expect((await onB(c.cookie)).statusCode).toBe(200); // cached on B now
    expect((await c.call('POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    problem(await onB(c.cookie), 401, 'auth.unauthenticated');
  });

  it('shows on B the role an administrator revoked through A', async () => {
    const admin = await kit.signedIn(t, ['AdministrationBasic', 'AdministrationAdvanced', 'Marketing']);
    const c = await kit.signedIn(t, ['CustomerBasic', 'Marketing']);
    expect((await onB(c.cookie)).json().permissions).toContain('marketing.leads.read');
    const res = await admin.call('PUT', `/api/v1/users/${c.user.id}/roles`, { roles: ['CustomerBasic'] });
    expect(res.statusCode).toBe(200);
    expect((await onB(c.cookie)).json().permissions).not.toContain('marketing.leads.read');
  });
});

describe.runIf(process.env.DATABASE_URL)('the principal cache with KONTOR_CACHE_FRESHNESS=notify', () => {
  let kit: HttpKit;
  let other: Kontor;
  let b: Awaited<ReturnType<typeof createHttpApp>>;
  beforeAll(async () => {
    kit = await httpKit();
    other = await createKontor({ ...kit.k.config, cacheFreshness: 'notify' });
    b = await createHttpApp(other, { logger: false });
  });
  afterAll(async () => {
    await b?.close();
    await other?.close();
    await kit?.close();
  });

  it('sees a logout on another instance within a second, from its notification', async () => {
    const t = await kit.k.aTenant(kit.k.root, 'reseller');
    const c = await kit.signedIn(t, ['CustomerBasic']);
    const me = () => b.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: c.cookie } });
    expect((await me()).statusCode).toBe(200);
    expect((await c.call('POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    const start = Date.now();
    while ((await me()).statusCode === 200) {
      if (Date.now() - start > 1000) throw new Error('the other instance did not see the logout within 1 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await me()).statusCode).toBe(401);
  });
});
