import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { startMetricsListener } from '../../../src/http/metrics-listener.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { type Exposition, parseExposition, seriesValue } from './exposition.js';

let h: HttpKit;
let op: Client;
let opToken: string;
beforeAll(async () => {
  h = await httpKit();
  op = await h.signedIn(h.k.root, ['OperationBasic']);
  const minted = await op.call('POST', '/api/v1/me/tokens', { name: 'prometheus' });
  expect(minted.statusCode).toBe(201);
  opToken = minted.json().token;
});
afterAll(async () => h?.close());

async function scrape(): Promise<Exposition> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${opToken}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

describe('GET /metrics', () => {
  it('answers Prometheus text with Kontor’s and Node’s metrics to an operation role’s API token', async () => {
    const e = await scrape();
    for (const [family, type] of [
      ['kontor_http_requests_total', 'counter'],
      ['kontor_http_request_duration_seconds', 'histogram'],
      ['kontor_sign_ins_total', 'counter'],
      ['kontor_decisions_total', 'counter'],
      ['kontor_storage_retries_total', 'counter'],
      ['kontor_storage_faults_total', 'counter'],
      ['kontor_import_jobs_total', 'counter'],
      ['kontor_sessions_active', 'gauge'],
      ['kontor_outbox_pending', 'gauge'],
      ['kontor_outbox_oldest_pending_age_seconds', 'gauge'],
      ['kontor_webhook_deliveries_pending', 'gauge'],
      ['kontor_webhook_oldest_pending_age_seconds', 'gauge'],
      ['kontor_webhook_subscriptions_failing', 'gauge'],
      ['kontor_database_up', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ] as const) {
      expect(e.types.get(family), family).toBe(type);
    }
    expect(seriesValue(e, 'kontor_database_up')).toBe(1);
    // The operator's own session is one of the active ones.
    expect(seriesValue(e, 'kontor_sessions_active')).toBeGreaterThanOrEqual(1);
  });

  it("shows the webhook delivery lag: undelivered deliveries, the oldest one's age, failing subscriptions", async () => {
    const db = h.k.db.kysely;
    const now = Date.now();
    const event = await db
      .selectFrom('audit_events')
      .select('seq')
      .where('tenant_id', '=', h.k.root.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const sub = { id: crypto.randomUUID(), tenant_id: h.k.root.id, url: 'https://hooks.example/in', scope: 'tenant' };
    await db
      .insertInto('webhook_subscriptions')
      .values({
        ...sub,
        description: '',
        event_types: null,
        secret_enc: 'sealed',
        previous_secret_enc: null,
        previous_valid_until: null,
        state: 'failing',
        created_at: new Date(now),
        updated_at: new Date(now),
      })
      .execute();
    // Queued two minutes ago, next attempt far ahead: the worker leaves it waiting.
    await db
      .insertInto('webhook_deliveries')
      .values({
        id: crypto.randomUUID(),
        subscription_id: sub.id,
        tenant_id: h.k.root.id,
        event_seq: Number(event.seq),
        status: 'failing',
        attempts: 3,
        next_attempt_at: new Date(now + 3600_000),
        created_at: new Date(now - 120_000),
      })
      .execute();
    const e = await scrape();
    expect(seriesValue(e, 'kontor_webhook_deliveries_pending')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(e, 'kontor_webhook_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(110);
    expect(seriesValue(e, 'kontor_webhook_subscriptions_failing')).toBeGreaterThanOrEqual(1);
    await db.deleteFrom('webhook_subscriptions').where('id', '=', sub.id).execute();
  });

  it('serves a session of an operation role too', async () => {
    const res = await op.call('GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(() => parseExposition(res.body)).not.toThrow();
  });

  it('refuses without credentials (401) and a business or administration role (403)', async () => {
    problem(await h.app.inject({ method: 'GET', url: '/metrics' }), 401, 'auth.unauthenticated');
    const customer = await h.signedIn(h.k.root, ['CustomerAdvanced']);
    problem(await customer.call('GET', '/metrics'), 403, 'grant.missing_permission');
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced']);
    problem(await admin.call('GET', '/metrics'), 403, 'grant.missing_permission');
    // System permissions count only in the root provider: an operation role elsewhere reads nothing.
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const elsewhere = await h.signedIn(reseller, ['OperationBasic']);
    expect((await elsewhere.call('GET', '/metrics')).statusCode).toBe(403);
  });

  it('counts sign-ins by outcome and decisions by result and cache', async () => {
    const before = await scrape();
    const t = await h.k.aTenant(h.k.root, 'reseller');
    await h.k.aUserIn(t, ['CustomerBasic'], { login: 'counted', password: 'correct horse battery staple' });
    expect((await h.login(t, 'counted')).statusCode).toBe(200);
    expect((await h.login(t, 'counted', 'wrong password entirely')).statusCode).toBe(401);
    const u = await h.k.aUserIn(t, ['CustomerBasic']);
    await h.k.decisions.decide(u.id, t.id, 'orders.read');
    await h.k.decisions.decide(u.id, t.id, 'orders.read');
    await h.k.decisions.decide(u.id, t.id, 'invoices.read');
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      seriesValue(after, name, labels) - seriesValue(before, name, labels);
    expect(delta('kontor_sign_ins_total', { outcome: 'succeeded' })).toBe(1);
    expect(delta('kontor_sign_ins_total', { outcome: 'failed' })).toBe(1);
    expect(delta('kontor_decisions_total', { result: 'allowed' })).toBeGreaterThanOrEqual(2);
    expect(delta('kontor_decisions_total', { result: 'denied' })).toBeGreaterThanOrEqual(1);
    expect(delta('kontor_decisions_total', { cache: 'hit' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a sign-in refused by the account limit as throttled', async () => {
    const kit = await httpKit({ login: { maxFailuresPerAccount: 2, maxFailuresPerAddress: 1000, windowSeconds: 900 } });
    try {
      const t = await kit.k.aTenant(kit.k.root, 'reseller');
      await kit.k.aUserIn(t, ['CustomerBasic'], { login: 'guessed', password: 'correct horse battery staple' });
      for (let i = 0; i < 3; i++) await kit.login(t, 'guessed', `wrong guess ${i} of many`);
      const text = await kit.k.metrics.scrape();
      const e = parseExposition(text.body);
      expect(seriesValue(e, 'kontor_sign_ins_total', { outcome: 'failed' })).toBe(2);
      expect(seriesValue(e, 'kontor_sign_ins_total', { outcome: 'throttled' })).toBe(1);
    } finally {
      await kit.close();
    }
  });
});

describe('R7 and bounded labels', () => {
  it('carries no tenant name, slug, login name or user id after traffic in several tenants', async () => {
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const slug = `leak-${randomBytes(4).toString('hex')}`;
      const t = await h.k.aTenant(h.k.root, 'reseller', slug);
      const name = `Leaky Tenant ${randomBytes(4).toString('hex')}`;
      await h.k.db.kysely.updateTable('tenants').set({ name }).where('id', '=', t.id).execute();
      const login = `leaky-login-${randomBytes(4).toString('hex')}`;
      const admin = await h.signedIn(t, ['AdministrationAdvanced'], { login });
      await admin.call('GET', `/api/v1/tenants/${t.id}/users`);
      await admin.call('GET', `/api/v1/users/${admin.user.id}`);
      await admin.call('GET', `/api/v1/tenants/${t.id}/users?search=${login}`);
      await h.login(t, login, 'not the password at all');
      await h.app.inject({ method: 'GET', url: `/api/v1/nothing/${slug}/${admin.user.id}` });
      secrets.push(slug, name, login, admin.user.id, t.id);
    }
    const body = (await op.call('GET', '/metrics')).body;
    for (const s of secrets) expect(body).not.toContain(s);
  });

  it('keeps one route label for unmatched paths after 1,000 random paths', async () => {
    const before = await scrape();
    const routesBefore = new Set(
      before.samples.filter((s) => s.name === 'kontor_http_requests_total').map((s) => s.labels.route),
    );
    for (let i = 0; i < 1000; i++) {
      const path = `/${randomBytes(6).toString('hex')}/${i}?q=${randomBytes(3).toString('hex')}`;
      const url = i % 2 === 0 ? path : `/api/v1${path}`;
      await h.app.inject({ method: i % 3 === 0 ? 'POST' : 'GET', url });
    }
    const after = await scrape();
    const series = after.samples.filter((s) => s.name === 'kontor_http_requests_total');
    const routes = new Set(series.map((s) => s.labels.route));
    const added = [...routes].filter((r) => !routesBefore.has(r));
    // At most the unmatched label is new (the console may also serve the paths under its catch-all).
    expect(added.every((r) => r === 'unmatched' || r?.includes('*'))).toBe(true);
    expect(added.length).toBeLessThanOrEqual(2);
    expect(series.length).toBeLessThan(200);
    for (const s of after.samples) {
      for (const v of Object.values(s.labels)) expect(v.length).toBeLessThan(80);
    }
  });
});

describe('KONTOR_METRICS_LISTEN', () => {
  it('parses host:port and refuses anything else', () => {
    expect(loadConfig({ KONTOR_METRICS_LISTEN: '127.0.0.1:9464' }).metricsListen).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(loadConfig({ KONTOR_METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig({}).metricsListen).toBeUndefined();
    expect(() => loadConfig({ KONTOR_METRICS_LISTEN: '9464' })).toThrow(/host:port/);
    expect(() => loadConfig({ KONTOR_METRICS_LISTEN: 'localhost:99999' })).toThrow(/host:port/);
  });

  it('serves GET /metrics without credentials on the separate listener, and nothing else', async () => {
    const listener = await startMetricsListener(h.k.metrics, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${listener.url}/metrics`);
      expect(res.status).toBe(200);
      expect(seriesValue(parseExposition(await res.text()), 'kontor_database_up')).toBe(1);
      for (const path of ['/api/v1/me', '/healthz', '/', `/metrics/../api/v1/tenants/${h.k.root.id}`]) {
        expect((await fetch(`${listener.url}${path}`)).status).toBe(404);
      }
      expect((await fetch(`${listener.url}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await listener.close();
    }
  });
});

describe('docs/operations.md and docs/grafana-kontor.json', () => {
  it('use only metrics Kontor exports', async () => {
    const e = await scrape();
    // The pool gauge exists on PostgreSQL only.
    const families = new Set([...e.types.keys(), 'kontor_db_pool_connections']);
    const known = (name: string) =>
      families.has(name) ||
      ['_bucket', '_sum', '_count'].some((x) => name.endsWith(x) && families.has(name.slice(0, -x.length)));
    const dashboard = JSON.parse(readFileSync('docs/grafana-kontor.json', 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const doc = readFileSync('docs/operations.md', 'utf8');
    const guide = doc.slice(doc.indexOf('## Metrics and alerts'), doc.indexOf('## System tasks'));
    expect(guide.length).toBeGreaterThan(1000);
    const used = [
      ...exprs.join('\n').matchAll(/\b(?:kontor|nodejs|process)_[a-z0-9_]+/g),
      ...guide.matchAll(/\bkontor_[a-z0-9_]+/g),
    ];
    const unknown = [...new Set(used.map((m) => m[0]))].filter((n) => !known(n));
    expect(unknown).toEqual([]);
  });
});
