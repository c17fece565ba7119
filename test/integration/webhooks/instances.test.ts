import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../../src/app/context.js';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { WebhookWiring } from '../../../src/compose-webhooks.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { onPostgres, TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';
import { type Receiver, receiver } from './webhook-kit.js';

// Issue 17 #3: several instances deliver each event once (SKIP LOCKED and one delivery in flight
// per subscription); an instance killed mid-burst leaves its delivery to another after the lease.
const KEY = randomBytes(32);
let k: TestKontor;
let tenant: Tenant;
let login: string;
const others: Kontor[] = [];

beforeAll(async () => {
  if (!onPostgres()) return;
  k = await testKontor();
  tenant = await k.aTenant(k.root, 'reseller');
  login = (await k.aUserIn(tenant, ['AdministrationAdvanced'], { password: TEST_PASSWORD })).loginName;
});
afterAll(async () => {
  for (const o of others) await o.close();
  await k?.close();
});

/** Another instance on the same schema, sharing the secret key; its clock runs `aheadMs` ahead. */
async function instance(aheadMs = 0): Promise<{ hooks: WebhookWiring; close(): Promise<void> }> {
  const kontor = await createKontor({ ...k.config, secretKey: KEY });
  others.push(kontor);
  let hooks: WebhookWiring | undefined;
  const app = await createHttpApp(kontor, {
    deps: { ...kontor.deps, clock: { now: () => new Date(Date.now() + aheadMs) } },
    mail: { send: async () => undefined },
    logger: false,
    webhookPollMs: 0,
    webhookOutbound: { allowLoopback: true },
    onWebhooks: (w) => (hooks = w),
  });
  if (!hooks) throw new Error('no webhook wiring');
  return { hooks, close: () => app.close() };
}

const burst = (n: number, action: string) =>
  Promise.all(
    Array.from({ length: n }, () =>
      k.deps.store.transaction((r) =>
        recordEvent(r, { actor: null, meta: null }, new Date(), {
          tenantId: tenant.id,
          action,
          targetType: 'user',
          targetId: randomUUID(),
        }),
      ),
    ),
  );

/** Subscribes directly, sealed with the shared key (the API would seal with the instance's key, the same). */
async function subscribe(
  a: { hooks: WebhookWiring },
  url: string,
  eventTypes: string[],
): Promise<{ id: string; secret: string }> {
  const secret = a.hooks.services.newSecret();
  const s = await k.deps.store.transaction((r) =>
    r.webhooks.insert({
      id: randomUUID(),
      tenantId: tenant.id,
      url,
      description: '',
      eventTypes,
      scope: 'tenant',
      secretEnc: a.hooks.services.seal(secret),
      now: new Date(),
    }),
  );
  return { id: s.id, secret };
}

const seqsOf = (rx: Receiver) => rx.events().map((e) => e.data.seq);
const firstArrivals = (rx: Receiver) => [...new Set(seqsOf(rx))];

describe.runIf(onPostgres())('several instances on PostgreSQL', () => {
  it('deliver each event of a burst exactly once between them, in the tenant’s order', async () => {
    const [a, b] = [await instance(), await instance()];
    const rx = await receiver();
    try {
      const sub = await subscribe(a, rx.url, ['two.instances']);
      const events = await burst(60, 'two.instances');
      for (let i = 0; i < 20 && rx.received.length < events.length; i++) {
        await Promise.all([a.hooks.worker.flush(), b.hooks.worker.flush()]);
      }
      const ids = rx.received.map((x) => x.id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
      expect(seqsOf(rx)).toEqual([...events.map((e) => e.seq)].sort((x, y) => x - y));
      for (const x of rx.received) expect(() => rx.verify(x, sub.secret)).not.toThrow();
    } finally {
      await rx.close();
      await a.close();
      await b.close();
    }
  });

  it('survive kill -9 of the delivering instance mid-burst: every event arrives, in order', async () => {
    const rx = await receiver();
    const port = 4100 + Math.floor(Math.random() * 800);
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: {
        ...process.env,
        KONTOR_DB_SCHEMA: k.config.dbSchema,
        KONTOR_PORT: String(port),
        KONTOR_LOG_LEVEL: 'warn',
        KONTOR_SECRET_KEY: KEY.toString('base64'),
        KONTOR_WEBHOOKS_ALLOW_LOOPBACK: '1',
        KONTOR_WEBHOOKS_POLL_MS: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    try {
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
      });
      child.stderr?.on('data', (d) => {
        out += d;
      });
      for (let i = 0; i < 600 && !out.includes('listens on'); i++) await new Promise((r) => setTimeout(r, 100));
      if (!out.includes('listens on')) throw new Error(`server did not start: ${out}`);
      // Subscribe through the child's API: it seals the secret with the shared key.
      const base = `http://127.0.0.1:${port}`;
      const signIn = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: tenant.slug, username: login, password: TEST_PASSWORD }),
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const { csrfToken } = (await signIn.json()) as { csrfToken: string };
      const created = await fetch(`${base}/api/v1/tenants/${tenant.id}/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ url: rx.url, eventTypes: ['kill.test'] }),
      });
      expect(created.status).toBe(201);
      const { secret } = (await created.json()) as { secret: string };
      // The 30th request is never answered: the instance is killed while it waits for it.
      rx.respond = (_x, res) => {
        if (rx.received.length === 30) child.kill('SIGKILL');
        else res.writeHead(200).end();
      };
      const events = await burst(80, 'kill.test');
      await exited;
      expect(rx.received.length).toBe(30);
      // Another instance, past the dead one's lease, delivers the rest.
      rx.respond = (_x, res) => res.writeHead(200).end();
      const b = await instance(120_000);
      try {
        for (let i = 0; i < 10 && new Set(rx.received.map((x) => x.id)).size < 80; i++) await b.hooks.worker.flush();
      } finally {
        await b.close();
      }
      const unique = new Set(rx.received.map((x) => x.id));
      expect(unique.size).toBe(80);
      expect(firstArrivals(rx)).toEqual([...events.map((e) => e.seq)].sort((x, y) => x - y));
      // At least once: only the delivery in flight at the kill may arrive twice.
      expect(rx.received.length).toBeLessThanOrEqual(81);
      for (const x of rx.received) expect(() => rx.verify(x, secret)).not.toThrow();
    } finally {
      child.kill('SIGKILL');
      await rx.close();
    }
  });
});
