import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { createKontor, type Kontor } from '../src/compose.js';
import { createHttpApp } from '../src/compose-http.js';
import { loadConfig } from '../src/config/load-config.js';
import { dropSchema } from '../src/storage/db.js';
import { effectiveGrants, naiveMap } from './peers.js';
import type { Scenario } from './scenario.js';
import { seedDatabase } from './seed-db.js';

const run = promisify(execFile);

export interface HttpRate {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  repetitions: number;
}

export interface HttpResult {
  kontorCheck: HttpRate;
  bareFastify: HttpRate;
  sessionMe: HttpRate;
}

const PASSWORD = 'benchmark password that is long enough';

type Req = { method: string; path: string; headers?: Record<string, string>; body?: string };

/** Median of `reps` autocannon runs, each in its own process. */
async function load(url: string, requests: Req[], duration: number, reps: number): Promise<HttpRate> {
  const runs: { requestsPerSecond: number; p50: number; p99: number; non2xx: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const { stdout } = await run(
      process.execPath,
      ['bench/autocannon-worker.mjs', JSON.stringify({ url, requests, duration })],
      {
        maxBuffer: 1 << 20,
      },
    );
    const r = JSON.parse(stdout);
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    runs.push(r);
  }
  runs.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const mid = runs[Math.floor(runs.length / 2)] as (typeof runs)[number];
  return { requestsPerSecond: Math.round(mid.requestsPerSecond), p50: mid.p50, p99: mid.p99, repetitions: reps };
}

/** The benchmark's app account: AdministrationAdvanced in the root (holds decisions.read). */
export async function addAppAccount(k: Kontor, rootId: string): Promise<void> {
  const hash = await k.deps.hasher.hash(PASSWORD);
  await k.deps.store.transaction(async (r) => {
    const u = await r.users.insert({
      id: randomUUID(),
      tenantId: rootId,
      loginName: 'bench-app',
      email: null,
      displayName: 'Benchmark app',
      type: 'primary',
      state: 'active',
      passwordHash: hash,
      mustChangePassword: false,
      customFields: {},
      now: new Date(),
    });
    await r.roles.setUserRoles(rootId, u.id, ['AdministrationAdvanced'], null, new Date());
  });
}

/** Signs the app account in through the API: a session cookie and an API token. */
export async function credentials(base: string): Promise<{ cookie: string; token: string }> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'provider', username: 'bench-app', password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/v1/me/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'bench' }),
  });
  const { token } = (await res.json()) as { token: string };
  return { cookie, token };
}

/** 200 distinct queries, cycled by every connection; bench-only permissions left out. */
function queryBodies(s: Scenario): string[] {
  const bodies: string[] = [];
  const q = s.queries;
  for (let i = 0; bodies.length < 200 && i < q.users.length; i++) {
    if ((q.permissions[i] as string).startsWith('app.')) continue;
    bodies.push(JSON.stringify({ userId: q.users[i], tenantId: q.tenants[i], permission: q.permissions[i] }));
  }
  return bodies;
}

async function bareServer(s: Scenario) {
  const map = naiveMap(effectiveGrants(s));
  const bare = Fastify({ logger: false });
  bare.post('/check', async (req) => {
    const q = req.body as { userId: string; tenantId: string; permission: string };
    return { allowed: map.get(`${q.userId}|${q.tenantId}`)?.has(q.permission) ?? false };
  });
  return { bare, url: await bare.listen({ host: '127.0.0.1', port: 0 }) };
}

/**
 * Kontor's `/api/v1/check` (API token, the scenario seeded) against a bare Fastify route
 * answering the same queries from a precomputed Map, and a session's `GET /me`. With
 * DATABASE_URL the server runs on PostgreSQL in a throwaway schema, else on PGlite in memory.
 */
export async function runHttp(s: Scenario, opts: { quick: boolean; log: (m: string) => void }): Promise<HttpResult> {
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}` : undefined;
  const config = loadConfig({
    KONTOR_DATA_DIR: 'memory://',
    KONTOR_LOG_LEVEL: 'warn',
    ...(url ? { DATABASE_URL: url, KONTOR_DB_SCHEMA: schema } : {}),
    // strict (default) or notify: how a request verifies the cached session (README).
    ...(process.env.KONTOR_CACHE_FRESHNESS ? { KONTOR_CACHE_FRESHNESS: process.env.KONTOR_CACHE_FRESHNESS } : {}),
  });
  const k = await createKontor({ ...config, dataDir: 'memory://' });
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  let bare: Awaited<ReturnType<typeof bareServer>> | undefined;
  try {
    opts.log(`http: seeding the scenario into ${url ? 'PostgreSQL' : 'PGlite'} …`);
    await seedDatabase(k, s);
    await addAppAccount(k, (s.tenants[0] as Scenario['tenants'][number]).id);
    app = await createHttpApp(k, { logger: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const { cookie, token } = await credentials(base);
    bare = await bareServer(s);
    const bodies = queryBodies(s);
    const json = { 'content-type': 'application/json' };
    const auth = { ...json, authorization: `Bearer ${token}` };
    const [duration, reps] = opts.quick ? [1, 3] : [5, 5];
    // One untimed pass: the engine's cache is warm, as in a running service (a 1 s quick round
    // would otherwise measure mostly the first loads).
    for (const body of bodies) await fetch(`${base}/api/v1/check`, { method: 'POST', headers: auth, body });
    opts.log('http: measuring /api/v1/check …');
    const checks = bodies.map((body) => ({ method: 'POST', path: '/api/v1/check', headers: auth, body }));
    const kontorCheck = await load(`${base}/api/v1/check`, checks, duration, reps);
    opts.log('http: measuring the bare Fastify route …');
    const bareChecks = bodies.map((body) => ({ method: 'POST', path: '/check', headers: json, body }));
    const bareFastify = await load(`${bare.url}/check`, bareChecks, duration, reps);
    opts.log('http: measuring GET /api/v1/me with a session …');
    const me = [{ method: 'GET', path: '/api/v1/me', headers: { cookie } }];
    const sessionMe = await load(`${base}/api/v1/me`, me, duration, reps);
    return { kontorCheck, bareFastify, sessionMe };
  } finally {
    await bare?.bare.close();
    await app?.close();
    await k.close();
    if (url && schema) await dropSchema(url, schema);
  }
}
