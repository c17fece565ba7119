// `npm run bench:webhooks [-- --quick] [-- --pglite]`: webhook events delivered per second to a
// loopback receiver and the latency from commit to arrival (p50/p99) at an offered load of
// 500 events/s over 10 tenants, each with its own subscription. A benchmark, not a test: it
// prints figures, it asserts nothing. PostgreSQL at BENCH_DATABASE_URL by default.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrapProvider } from '../src/app/bootstrap.js';
import { recordEvent } from '../src/app/context.js';
import { createWebhook } from '../src/app/webhooks.js';
import { createKontor } from '../src/compose.js';
import { createHttpApp } from '../src/compose-http.js';
import type { WebhookWiring } from '../src/compose-webhooks.js';
import { loadConfig } from '../src/config/load-config.js';
import { buildActor } from '../src/domain/access.js';
import { childPath, type Tenant } from '../src/domain/tenant.js';
import { dropSchema } from '../src/storage/db.js';

const quick = process.argv.includes('--quick');
const pglite = process.argv.includes('--pglite');
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RATE = 500;
const SECONDS = quick ? 3 : 10;
const TENANTS = 10;
const POLL_MS = Number(process.env.KONTOR_WEBHOOKS_POLL_MS ?? 1000);

const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const env = pglite ? {} : { DATABASE_URL: PG, KONTOR_DB_SCHEMA: schema };
const k = await createKontor({ ...loadConfig({ ...env, KONTOR_WEBHOOKS_ALLOW_LOOPBACK: '1' }), dataDir: 'memory://' });
const committed = new Map<string, number>();
const arrived = new Map<string, number>();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = String(req.headers['webhook-id']);
    if (!arrived.has(id)) arrived.set(id, performance.now());
    res.writeHead(204).end();
  });
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
let hooks: WebhookWiring | undefined;
const app = await createHttpApp(k, { logger: false, webhookPollMs: POLL_MS, onWebhooks: (w) => (hooks = w) });
try {
  const boot = await bootstrapProvider(k.deps, {
    tenantName: 'Bench',
    slug: 'bench',
    loginName: 'admin',
    password: 'a long bench password 1',
  });
  if (!boot || !hooks) throw new Error('bootstrap failed');
  const deps = { ...k.deps, webhooks: hooks.services };
  const tenants: Tenant[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const id = randomUUID();
    const now = new Date();
    const t: Tenant = {
      id,
      kind: 'reseller',
      parentId: boot.tenant.id,
      path: childPath(boot.tenant.path, id),
      depth: 1,
      name: `Bench ${i}`,
      slug: `bench-${i}`,
      status: 'active',
      settings: {},
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await k.deps.store.transaction((r) => r.tenants.insert(t));
    tenants.push(t);
    const actor = buildActor({
      userId: boot.user.id,
      homeTenantId: t.id,
      actingTenantId: t.id,
      isRootUser: false,
      roles: await k.deps.store.read(async (r) =>
        (await r.roles.list()).filter((x) => x.key === 'AdministrationAdvanced'),
      ),
      catalogue: k.deps.catalogue,
    });
    await createWebhook(deps, { actor, meta: { ip: null, requestId: null } }, t.id, {
      url,
      eventTypes: ['bench.event'],
    });
  }
  const total = RATE * SECONDS;
  const t0 = performance.now();
  const commitOne = async (t: Tenant) => {
    const e = await k.deps.store.transaction((r) =>
      recordEvent(r, { actor: null, meta: null }, new Date(), {
        tenantId: t.id,
        action: 'bench.event',
        targetType: 'user',
        targetId: randomUUID(),
      }),
    );
    committed.set(`${t.id}.${e.seq}`, performance.now());
  };
  // Offer RATE events/s: one committer per tenant (a tenant's appenders queue on its audit head
  // anyway), each on its own schedule; a committer that falls behind catches up without pause.
  const perTenant = total / TENANTS;
  const interval = 1000 / (RATE / TENANTS);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    tenants.map(async (t, n) => {
      for (let i = 0; i < perTenant; i++) {
        const at = t0 + i * interval + (n * interval) / TENANTS;
        const wait = at - performance.now();
        if (wait > 0) await sleep(wait);
        await commitOne(t);
      }
    }),
  );
  const offeredSeconds = (performance.now() - t0) / 1000;
  const deadline = performance.now() + 120_000;
  while (arrived.size < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const lastArrival = Math.max(...arrived.values());
  const lat = [...committed].flatMap(([id, c]) => {
    const a = arrived.get(id);
    return a === undefined ? [] : [Math.max(0, a - c)];
  });
  lat.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0);
  const result = {
    schema: 'kontor-bench-webhooks/1',
    database: pglite ? 'pglite' : 'postgres',
    pollMs: POLL_MS,
    offeredPerSecond: Math.round(total / offeredSeconds),
    events: total,
    delivered: arrived.size,
    deliveredPerSecond: Math.round(arrived.size / ((lastArrival - t0) / 1000)),
    commitToDeliveryMs: { p50: pct(50), p99: pct(99), max: Math.round(lat.at(-1) ?? 0) },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await app.close();
  await new Promise((done) => server.close(done));
  await k.close();
  if (!pglite) await dropSchema(PG, schema).catch(() => undefined);
}
