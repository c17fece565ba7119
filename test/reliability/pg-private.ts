import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A private PostgreSQL cluster for fault tests: `initdb` into a temp directory, its own free
 * port on 127.0.0.1, trust authentication on loopback only, started and stopped with `pg_ctl`
 * so a test can pull the database out from under a running server. As root, every PostgreSQL
 * binary runs as the `postgres` OS user (initdb refuses root).
 */
export interface PrivatePg {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  start(): Promise<void>;
  /** `fast` ends sessions with 57P01 and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** One statement on a fresh superuser connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** Stops the cluster if it runs and deletes its directory; safe to call more than once. */
  destroy(): Promise<void>;
}

const candidates = (): string[] => {
  const dirs: string[] = [];
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) dirs.push(join(base, v, 'bin'));
  }
  dirs.push('/usr/local/bin', '/usr/bin');
  return dirs;
};

/** The directory holding initdb, pg_ctl and postgres, or undefined. */
export function pgBinDir(): string | undefined {
  return candidates().find((d) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(d, b))));
}

const isRoot = (): boolean => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Whether this machine can run a private cluster (the tests skip without one). */
export function privatePgAvailable(): boolean {
  if (process.platform === 'win32' || !pgBinDir()) return false;
  return !isRoot() || (postgresUser() !== undefined && existsSync('/usr/sbin/runuser'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Creates and starts a private cluster; `settings` are extra `-c name=value` server settings. */
export async function createPrivatePg(settings: Record<string, string | number> = {}): Promise<PrivatePg> {
  const bin = pgBinDir();
  if (!bin) throw new Error('initdb not found');
  const dir = mkdtempSync(join(tmpdir(), 'kontor-pg-'));
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) =>
    isRoot() ? (['/usr/sbin/runuser', ['-u', 'postgres', '--', cmd, ...args]] as const) : ([cmd, args] as const);
  const exec = async (cmd: string, args: string[], timeout = 60_000) => {
    const [file, argv] = asPostgres(join(bin, cmd), args);
    return run(file, [...argv], { timeout, cwd: dir });
  };
  if (isRoot()) {
    const u = postgresUser();
    if (!u) throw new Error('no postgres OS user to run initdb as');
    chownSync(dir, u.uid, u.gid);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
    '-c shared_buffers=32MB',
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  let running = false;
  let destroyed = false;
  const cluster: PrivatePg = {
    url,
    port,
    dir,
    async start() {
      await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      running = false;
      await exec('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    },
    async query(text, values) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await c.connect();
      try {
        return (await c.query(text, values)).rows;
      } finally {
        await c.end();
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.off('exit', onExit);
      if (running || existsSync(join(data, 'postmaster.pid'))) {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Last resort when the test process ends without afterAll (an uncaught failure in setup).
  const onExit = () => {
    try {
      const [file, argv] = asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      if (existsSync(join(data, 'postmaster.pid'))) execFileSync(file, [...argv], { stdio: 'ignore', timeout: 10_000 });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
