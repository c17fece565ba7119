import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSystemStatus } from '../../../src/app/system-status.js';
import { createKontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import { systemServices } from '../../../src/compose-system.js';
import { KNOWN_MIGRATIONS } from '../../../src/storage/migrate.js';
import { onPostgres, testKontor } from '../../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';

let h: HttpKit;
let ops: Client;
beforeAll(async () => {
  h = await httpKit();
  ops = await h.signedIn(h.k.root, ['OperationBasic']);
});
afterAll(async () => h?.close());

const status = async (c: Client = ops) => {
  const res = await c.call('GET', '/api/v1/system/status');
  expect(res.statusCode).toBe(200);
  return { body: res.json(), text: res.body };
};

describe('GET /api/v1/system/status', () => {
  it('shows this instance live, the database, migrations current and the background jobs', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const db = h.k.db.kysely;
    // A topic no worker drains, so its row stays pending whatever the mail worker does.
    await h.k.deps.store.transaction((r) => r.outbox.enqueue('status.test', { n: 1 }, new Date(Date.now() - 60_000)));
    const job = {
      tenant_id: t.id,
      mode: 'create',
      total: 1,
      processed: 0,
      created: 0,
      updated: 0,
      created_at: new Date(),
    };
    await db
      .insertInto('import_jobs')
      .values([
        { ...job, id: randomUUID(), status: 'running' },
        { ...job, id: randomUUID(), status: 'failed', error: 'x' },
        { ...job, id: randomUUID(), status: 'failed', error: 'y' },
      ])
      .execute();
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/system/status' })).statusCode).toBe(401);
    const { body } = await status();
    expect(body.database).toEqual({ dialect: onPostgres() ? 'postgres' : 'pglite', reachable: true, writable: true });
    expect(body.pool === null).toBe(!onPostgres());
    expect(body.replica).toEqual({ configured: false });
    const self = body.instances.items.find((i: { self: boolean }) => i.self);
    expect(self).toMatchObject({ id: body.instance.id, state: 'live', readiness: 'ready' });
    expect(body.instances.live).toBeGreaterThanOrEqual(1);
    expect(body.migrations).toEqual({
      state: 'current',
      known: KNOWN_MIGRATIONS.length,
      applied: KNOWN_MIGRATIONS.length,
      pending: [],
      unknown: [],
    });
    const topic = body.outbox.find((o: { topic: string }) => o.topic === 'status.test');
    expect(topic).toMatchObject({ pending: 1, givenUp: 0 });
    expect(topic.oldestPendingSeconds).toBeGreaterThanOrEqual(30);
    expect(body.imports).toEqual(
      expect.arrayContaining([
        { status: 'running', jobs: 1 },
        { status: 'failed', jobs: 2 },
      ]),
    );
    expect(body.keys.sealingKey).toBe('ephemeral');
    for (const k of body.keys.signing) expect(Object.keys(k).sort()).toEqual(['ageSeconds', 'alg', 'state']);
    expect(body.keys.appSecrets).toMatchObject({ count: expect.any(Number) });
  });

  it('reports the last purge, whichever way it ran, and purges heartbeats silent for a day', async () => {
    const db = h.k.db.kysely;
    const beat = (id: string, agoSeconds: number) => {
      const at = new Date(Date.now() - agoSeconds * 1000);
      return db
        .insertInto('instances')
        .values({ id, started_at: at, last_seen_at: at, version: '0.0.9', readiness: 'ready' })
        .execute();
    };
    const quiet = randomUUID();
    const dead = randomUUID();
    await beat(quiet, 10 * 60);
    await beat(dead, 2 * 86400);
    const before = (await status()).body;
    const items = before.instances.items as { id: string; state: string }[];
    expect(items.find((i) => i.id === quiet)?.state).toBe('silent');
    expect(items.find((i) => i.id === dead)?.state).toBe('silent');
    expect(before.instances.silent).toBeGreaterThanOrEqual(2);
    const advanced = await h.signedIn(h.k.root, ['OperationAdvanced']);
    const purged = await advanced.call('POST', '/api/v1/system/purge');
    expect(purged.json().purged.instances).toBe(1);
    const after = (await status()).body;
    const ids = (after.instances.items as { id: string }[]).map((i) => i.id);
    expect(ids).toContain(quiet);
    expect(ids).not.toContain(dead);
    expect(after.lastPurge).toMatchObject({ removed: { instances: 1 } });
    expect(after.lastPurge.secondsAgo).toBeLessThan(60);
  });

  it('adds a second server on the database at its start and removes it on its clean stop', async () => {
    // On PostgreSQL a second Kontor process-alike; on PGlite a second server on the same handle.
    const other = onPostgres() ? await createKontor(h.k.config) : undefined;
    const app = await createHttpApp(other ?? h.k, {
      logger: false,
      mailIntervalMs: 0,
      mail: { send: async () => undefined },
    });
    try {
      const { body } = await status();
      const live = (body.instances.items as { state: string; self: boolean }[]).filter((i) => i.state === 'live');
      expect(live.filter((i) => i.self)).toHaveLength(1);
      expect(live.filter((i) => !i.self).length).toBeGreaterThanOrEqual(1);
      // The second server sees the first one too, and itself as self.
      const viaOther = await app.inject({
        method: 'GET',
        url: '/api/v1/system/status',
        cookies: { kontor_session: ops.cookie },
      });
      expect(viaOther.statusCode).toBe(200);
      const seen = viaOther.json();
      expect(seen.instance.id).not.toBe(body.instance.id);
      const ids = (seen.instances.items as { id: string }[]).map((i) => i.id);
      expect(ids).toEqual(expect.arrayContaining([body.instance.id, seen.instance.id]));
      const count = (await status()).body.instances.items.length;
      await app.close();
      const after = (await status()).body;
      expect(after.instances.items).toHaveLength(count - 1);
      expect((after.instances.items as { id: string }[]).map((i) => i.id)).not.toContain(seen.instance.id);
    } finally {
      await app.close();
      await other?.close();
    }
  });

  it('beats on its interval (KONTOR_INSTANCE_HEARTBEAT_SECONDS)', async () => {
    let t = Date.now();
    const clock = { now: () => new Date(t) };
    const app = await createHttpApp(
      { ...h.k, config: { ...h.k.config, instanceHeartbeatSeconds: 1 } },
      { deps: { ...h.k.deps, clock }, logger: false, mailIntervalMs: 0, mail: { send: async () => undefined } },
    );
    try {
      const rows = () => h.k.db.kysely.selectFrom('instances').selectAll().where('version', '!=', '0.0.9').execute();
      const first = new Set((await rows()).map((r) => new Date(r.last_seen_at).getTime()));
      t += 3600_000;
      // The timer, not a request, writes the next beat: its time is the moved clock's.
      await vi.waitFor(async () => expect((await rows()).map((r) => new Date(r.last_seen_at).getTime())).toContain(t), {
        timeout: 5000,
        interval: 100,
      });
      expect(first.has(t)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('names no tenant, slug, login or user after traffic in several tenants (R7)', async () => {
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tag = randomBytes(4).toString('hex');
      const t = await h.k.aTenant(h.k.root, 'reseller', `st-${tag}`);
      const name = `Status Tenant ${tag}`;
      await h.k.db.kysely.updateTable('tenants').set({ name }).where('id', '=', t.id).execute();
      const admin = await h.signedIn(t, ['AdministrationAdvanced'], { login: `adm-${tag}` });
      const created = await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: `usr-${tag}` });
      expect(created.statusCode).toBe(201);
      expect((await h.login(t, `adm-${tag}`, 'wrong password here')).statusCode).toBe(401);
      secrets.push(name, t.slug, t.id, `adm-${tag}`, `usr-${tag}`, admin.user.id, created.json().id);
    }
    secrets.push(h.k.root.slug, h.k.root.id, h.k.rootAdmin.id, ops.user.id, 'Provider');
    const { text } = await status();
    for (const s of secrets) expect(text).not.toContain(s);
  });

  it('is refused to roles without system.health.read', async () => {
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced']);
    problem(await admin.call('GET', '/api/v1/system/status'), 403, 'grant.missing_permission');
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const customer = await h.signedIn(t, ['CustomerBasic']);
    problem(await customer.call('GET', '/api/v1/system/status'), 403, 'grant.missing_permission');
  });

  it('answers with the database unreachable: reachable false, its parts null, migrations unknown', async () => {
    const k = await testKontor();
    const user = await k.aUserIn(k.root, ['OperationBasic']);
    const ctx = await k.ctx(user);
    const deps = { ...k.deps, system: systemServices(k) };
    await k.close();
    const s = await readSystemStatus(deps, ctx);
    expect(s.database).toMatchObject({ reachable: false, writable: false });
    expect(s.instances).toBeNull();
    expect(s.outbox).toBeNull();
    expect(s.migrations).toMatchObject({ state: 'unknown', applied: null });
  });
});
