import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { bootstrapProvider } from '../src/app/bootstrap.js';
import { createKontor } from '../src/compose.js';
import { createHttpApp } from '../src/compose-http.js';
import { loadConfig } from '../src/config/load-config.js';
import { argon2Hasher } from '../src/storage/argon2-hasher.js';
import { dropSchema } from '../src/storage/db.js';

const run = promisify(execFile);
const PASSWORD = 'benchmark password that is long enough';

export interface SignInResult {
  /** Median time of one argon2id verification at the configured parameters, ms. */
  hashMs: number;
  /** cores ÷ one hash: what the machine could do if hashing were the only cost. */
  ceilingPerSecond: number;
  signInsPerSecond: number;
  p50: number;
  p99: number;
  /** signInsPerSecond ÷ ceilingPerSecond (target ≥ 0.9). */
  ofCeiling: number;
  connections: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * Password sign-ins per second through `POST /api/v1/auth/login` (a session and an audit event
 * written for each), against the ceiling the password hash alone allows on this machine.
 */
export async function runSignIns(opts: { quick: boolean; log: (m: string) => void }): Promise<SignInResult> {
  const hasher = argon2Hasher();
  const hash = await hasher.hash(PASSWORD);
  const times: number[] = [];
  for (let i = 0; i < (opts.quick ? 10 : 30); i++) {
    const t0 = performance.now();
    await hasher.verify(hash, PASSWORD);
    times.push(performance.now() - t0);
  }
  const hashMs = median(times);
  const cores = cpus().length;
  const ceilingPerSecond = (cores * 1000) / hashMs;

  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_login_${randomUUID().replaceAll('-', '').slice(0, 10)}` : undefined;
  const config = loadConfig({
    KONTOR_DATA_DIR: 'memory://',
    KONTOR_LOG_LEVEL: 'warn',
    ...(url ? { DATABASE_URL: url, KONTOR_DB_SCHEMA: schema } : {}),
  });
  const k = await createKontor({ ...config, dataDir: 'memory://' });
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  try {
    await bootstrapProvider(k.deps, {
      tenantName: 'Provider',
      slug: 'provider',
      loginName: 'admin',
      password: PASSWORD,
    });
    app = await createHttpApp(k, { logger: false });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    // Twice the cores: enough sign-ins in flight to keep every core hashing.
    const connections = cores * 2;
    const body = JSON.stringify({ tenant: 'provider', username: 'admin', password: PASSWORD });
    const requests = [
      { method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, body },
    ];
    opts.log('sign-ins: measuring POST /api/v1/auth/login …');
    const runs: { requestsPerSecond: number; p50: number; p99: number; non2xx: number; errors: number }[] = [];
    for (let i = 0; i < (opts.quick ? 1 : 3); i++) {
      const { stdout } = await run(process.execPath, [
        'bench/autocannon-worker.mjs',
        JSON.stringify({ url: `${base}/api/v1/auth/login`, requests, duration: opts.quick ? 3 : 8, connections }),
      ]);
      const r = JSON.parse(stdout);
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`sign-ins: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      runs.push(r);
    }
    runs.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const mid = runs[Math.floor(runs.length / 2)] as (typeof runs)[number];
    const signInsPerSecond = Math.round(mid.requestsPerSecond * 10) / 10;
    return {
      hashMs: Math.round(hashMs * 10) / 10,
      ceilingPerSecond: Math.round(ceilingPerSecond * 10) / 10,
      signInsPerSecond,
      p50: mid.p50,
      p99: mid.p99,
      ofCeiling: Math.round((signInsPerSecond / ceilingPerSecond) * 100) / 100,
      connections,
    };
  } finally {
    await app?.close();
    await k.close();
    if (url && schema) await dropSchema(url, schema);
  }
}
