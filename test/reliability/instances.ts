import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Real `kontor serve` processes on one PostgreSQL, for the reliability tests and the soak: each
 * on 127.0.0.1 with a port of its own (port 0, read back from its start line), all in one fresh
 * schema. Everything here is bounded in time, and `stop()` kills what is left even on failure.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/** `t_<run>_<random>`: the name the test run's global teardown (or its 6-hour sweep) drops. */
export const schemaName = (run: string): string => `t_${run}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** A run id in the global setup's format, for callers outside vitest (the soak script). */
export const runId = (): string =>
  `${Math.floor(Date.now() / 1000).toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

export interface Instance {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resident memory in KiB (VmRSS of /proc/<pid>/status); undefined once the process is gone. */
  rssKiB(): number | undefined;
  /** Kills the process with the signal and waits (bounded) until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: boolean;
}

export interface Cluster {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly instances: Instance[];
  /** The first administrator as printed by the first instance (one-time password). */
  readonly firstAdmin: { tenant: string; username: string; password: string };
  /** Starts one more instance on the same database and schema. */
  add(name?: string): Promise<Instance>;
  /** SQL on the cluster's schema (for checks the API does not show). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Stops every instance (SIGTERM, then SIGKILL after a grace period); drops the schema if asked. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** How many instances to start (default 2). */
  count?: number;
  databaseUrl?: string;
  schema: string;
  /** Extra environment for every instance (limits, throttling, log level). */
  env?: Record<string, string>;
  /** Drop the schema in `stop()` (the soak); tests leave it to the global teardown. */
  dropSchema?: boolean;
}

const live = new Set<ChildProcess>();
// A crashed test runner must not leave servers behind.
process.once('exit', () => {
  for (const p of live) killGroup(p, 'SIGKILL');
});

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    try {
      p.kill(signal);
    } catch {}
  }
}

function startProcess(name: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const gone = new Promise<void>((res) => {
    child.once('exit', () => {
      live.delete(child);
      res();
    });
  });
  const pid = child.pid ?? -1;
  const instance = (url: string): Instance => ({
    name,
    url,
    pid,
    output: () => out,
    rssKiB() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    },
    async kill(signal = 'SIGKILL') {
      killGroup(child, signal);
      const timer = new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS).unref());
      await Promise.race([gone, timer]);
      if (!this.exited) {
        killGroup(child, 'SIGKILL');
        await Promise.race([gone, new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
      }
    },
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
  });
  return new Promise<Instance>((res, rej) => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const poll = async (): Promise<void> => {
      const m = /listens on (http:\/\/\S+?)(?:\s|$)/.exec(out);
      if (m?.[1]) {
        const url = m[1];
        try {
          const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
          if (ready.status === 200) return res(instance(url));
        } catch {}
      }
      // The CLI reports a failed start as `kontor: <message>`; open handles may keep it running.
      if (child.exitCode !== null || child.signalCode !== null || /^kontor: /m.test(out)) {
        killGroup(child, 'SIGKILL');
        return rej(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) while starting:\n${out}`));
      }
      if (Date.now() > deadline) {
        killGroup(child, 'SIGKILL');
        return rej(new Error(`${name} did not become ready within ${START_TIMEOUT_MS} ms:\n${out}`));
      }
      setTimeout(() => void poll(), 100);
    };
    void poll();
  });
}

/**
 * Starts `count` instances on one schema: the first alone (it migrates and bootstraps the
 * provider, printing the first administrator), then the others together.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), 'kontor-rel-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KONTOR_DB_SCHEMA: opts.schema,
    KONTOR_HOST: '127.0.0.1',
    KONTOR_PORT: '0',
    KONTOR_DATA_DIR: dataDir,
    // One key for all instances, as in production; unset, each would warn and pick its own.
    KONTOR_SECRET_KEY: randomBytes(32).toString('base64'),
    KONTOR_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const instances: Instance[] = [];
  let n = 0;
  const cluster: Cluster = {
    databaseUrl,
    schema: opts.schema,
    instances,
    firstAdmin: { tenant: '', username: '', password: '' },
    async add(name) {
      const i = await startProcess(name ?? `kontor-${++n}`, env);
      instances.push(i);
      return i;
    },
    async query(text, values) {
      const c = await pool.connect();
      try {
        await c.query(`SET search_path TO ${opts.schema}`);
        return (await c.query(text, values)).rows;
      } finally {
        c.release();
      }
    },
    async stop() {
      await Promise.all(instances.map((i) => i.kill('SIGTERM')));
      try {
        if (opts.dropSchema) await pool.query(`DROP SCHEMA IF EXISTS ${opts.schema} CASCADE`);
      } finally {
        await pool.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  try {
    const first = await cluster.add();
    const pick = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(first.output())?.[1] ?? '';
    Object.assign(cluster.firstAdmin, {
      tenant: pick('tenant'),
      username: pick('username'),
      password: pick('password'),
    });
    if (!cluster.firstAdmin.password) throw new Error(`no first administrator printed:\n${first.output()}`);
    await Promise.all(Array.from({ length: (opts.count ?? 2) - 1 }, () => cluster.add()));
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

// ---- a small HTTP client: cookie sessions with CSRF, bearer tokens ----

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the tests
  body: any;
  headers: Headers;
  /** Where it went: the instance's base URL. */
  url: string;
}

export interface Auth {
  cookie?: string;
  csrf?: string;
  token?: string;
}

export async function call(
  base: string,
  auth: Auth | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const h: Record<string, string> = { ...headers };
  if (auth?.cookie) h.cookie = auth.cookie;
  if (auth?.csrf && method !== 'GET') h['x-csrf-token'] = auth.csrf;
  if (auth?.token) h.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers: h,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers, url: base };
}

export interface Session extends Auth {
  cookie: string;
  csrf: string;
  userId: string;
  tenantId: string;
}

/** Signs in through the API; a pending first-use password is changed to `newPassword`. */
export async function signIn(
  base: string,
  who: { tenant: string; username: string; password: string },
  newPassword?: string,
): Promise<Session> {
  const res = await call(base, undefined, 'POST', '/api/v1/auth/login', who);
  if (res.status !== 200)
    throw new Error(`sign-in of ${who.username}@${who.tenant}: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  const s: Session = { cookie, csrf: res.body.csrfToken, userId: res.body.user.id, tenantId: res.body.tenantId };
  if (res.body.mustChangePassword) {
    if (!newPassword) throw new Error(`${who.username} must change the password first`);
    const ch = await call(base, s, 'POST', '/api/v1/me/password', {
      currentPassword: who.password,
      newPassword,
    });
    if (ch.status !== 204) throw new Error(`password change: ${ch.status} ${JSON.stringify(ch.body)}`);
    return signIn(base, { ...who, password: newPassword });
  }
  return s;
}

/** Throws with the answer unless its status is the expected one; returns the body. */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the tests
export function expectStatus(res: Answer, status: number, what = ''): any {
  if (res.status !== status) {
    throw new Error(`${what} at ${res.url}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Round-robin over the instances: request i goes to instance i mod n. */
export const spread = (c: Cluster, i: number): string => {
  const inst = c.instances.filter((x) => !x.exited);
  return (inst[i % inst.length] as Instance).url;
};
