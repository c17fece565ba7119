import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  APP_DATABASE,
  APP_ROLE,
  type ClusterConfig,
  type ClusterState,
  clusterConfig,
  DEFAULT_BASE_PORT,
  DEFAULT_TIMING,
  endpointUrl,
  type NodeName,
  newSecrets,
  paths,
  type Timing,
} from './cluster-config.js';
import { etcdArgs, etcdHealthy, removeClusterKeys } from './etcd.js';
import { renderHaproxyConfig } from './haproxy-config.js';
import { ensurePackages } from './install.js';
import { renderPatroniYaml } from './patroni-config.js';
import { currentLeader, nodeStatus, restStatus, syncStandby, waitFor } from './patroni-rest.js';
import { isRunning, postmasterPid, readPid, removeFile, startAsPostgres, stopPid } from './processes.js';

const run = promisify(execFile);

export interface UpOptions {
  dir: string;
  basePort?: number;
  timing?: Timing;
  /** PostgreSQL nodes of a new cluster (2 or 3). */
  nodes?: number;
  log: (s: string) => void;
}

/** The recorded set-up of a cluster folder, or undefined when none was built there. */
export function readCluster(dir: string): ClusterConfig | undefined {
  const file = paths({ dir }).state;
  if (!existsSync(file)) return undefined;
  return clusterConfig(dir, JSON.parse(readFileSync(file, 'utf8')) as ClusterState);
}

function prepare(opts: UpOptions): ClusterConfig {
  const recorded = readCluster(opts.dir);
  if (recorded && opts.basePort !== undefined && opts.basePort !== recorded.basePort) {
    throw new Error(`${opts.dir} was built with base port ${recorded.basePort}; use it, or \`down --purge\` first`);
  }
  const state: ClusterState = recorded ?? {
    scope: 'kontor',
    basePort: opts.basePort ?? DEFAULT_BASE_PORT,
    timing: opts.timing ?? DEFAULT_TIMING,
    secrets: newSecrets(),
    nodes: opts.nodes ?? 2,
  };
  const c = clusterConfig(opts.dir, state);
  const p = paths(c);
  for (const d of [p.etcdData, p.logs, join(c.dir, 'run'), join(c.dir, 'haproxy'), ...c.nodeNames.map(p.nodeDir)]) {
    mkdirSync(d, { recursive: true });
  }
  for (const n of c.nodeNames) {
    mkdirSync(join(p.logs, n), { recursive: true });
    mkdirSync(join(p.logs, `patroni-${n}`), { recursive: true });
  }
  writeFileSync(p.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  for (const n of c.nodeNames) writeFileSync(p.patroniYml(n), renderPatroniYaml(c, n), { mode: 0o600 });
  writeFileSync(p.haproxyCfg, `${renderHaproxyConfig(c)}\n`);
  return c;
}

async function chownToPostgres(c: ClusterConfig): Promise<void> {
  await run('chown', ['-R', 'postgres:postgres', c.dir]);
  for (const n of c.nodeNames) chmodSync(paths(c).nodeDir(n), 0o700);
}

export async function startEtcd(c: ClusterConfig): Promise<void> {
  const p = paths(c);
  if (!isRunning(readPid(p.pidFile('etcd')), 'etcd')) {
    await startAsPostgres('/usr/bin/etcd', etcdArgs(c), p.log('etcd'), p.pidFile('etcd'));
  }
  await waitFor('etcd to be healthy', () => etcdHealthy(c), 30_000);
}

/** Starts a node's Patroni (which starts, clones or rewinds its PostgreSQL) unless it runs. */
export async function startNode(c: ClusterConfig, node: NodeName): Promise<void> {
  const p = paths(c);
  if (isRunning(readPid(p.pidFile(`patroni-${node}`)), 'patroni')) return;
  await startAsPostgres(
    '/usr/bin/patroni',
    [p.patroniYml(node)],
    p.log(`patroni-${node}`),
    p.pidFile(`patroni-${node}`),
  );
}

export async function startHaproxy(c: ClusterConfig): Promise<void> {
  const p = paths(c);
  if (isRunning(readPid(p.pidFile('haproxy')), 'haproxy')) return;
  await startAsPostgres('/usr/sbin/haproxy', ['-f', p.haproxyCfg, '-db'], p.log('haproxy'), p.pidFile('haproxy'));
}

/** A primary behind the write endpoint and a synchronous standby streaming from it. */
export async function waitHealthy(c: ClusterConfig, timeoutMs = 90_000): Promise<NodeName> {
  const leader = await waitFor('a primary', () => currentLeader(c), timeoutMs);
  // A standby's own REST answer: right after a failover the promoted node may still answer
  // /sync from the stale sync key until its next loop.
  await waitFor('a synchronous standby', () => syncStandby(c, leader), timeoutMs);
  await waitFor('the write endpoint', () => writable(c), timeoutMs);
  return leader;
}

/** True when the write endpoint reaches a PostgreSQL that is not in recovery. */
export async function writable(c: ClusterConfig): Promise<boolean> {
  const client = new pg.Client({
    connectionString: endpointUrl(c, 'write', 'superuser', 'postgres'),
    connectionTimeoutMillis: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query<{ ro: boolean }>('SELECT pg_is_in_recovery() AS ro');
    return r.rows[0]?.ro === false;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The `kontor` login role (may create databases) and its `kontor` database; idempotent. */
async function ensureAppDatabase(c: ClusterConfig): Promise<void> {
  const client = new pg.Client({ connectionString: endpointUrl(c, 'write', 'superuser', 'postgres') });
  await client.connect();
  try {
    const pw = c.secrets.app.replaceAll("'", "''");
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    await client.query(`${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${APP_ROLE} WITH LOGIN CREATEDB PASSWORD '${pw}'`);
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [APP_DATABASE]);
    if (!db.rowCount) await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_ROLE}`);
  } finally {
    await client.end();
  }
}

/** Builds or restarts the cluster; safe to run again while it runs. Returns its configuration. */
export async function clusterUp(opts: UpOptions): Promise<ClusterConfig> {
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  await ensurePackages(opts.log);
  const c = prepare(opts);
  await chownToPostgres(c);
  const p = paths(c);
  await startEtcd(c);
  opts.log(`etcd healthy on 127.0.0.1:${c.ports.etcdClient} (${secs()})`);
  const fresh = c.nodeNames.every((n) => !existsSync(join(p.pgData(n), 'PG_VERSION')));
  if (fresh) {
    // New PostgreSQL data with old etcd data would carry a foreign system identifier.
    await removeClusterKeys(c);
    await startNode(c, 'pg1');
    await waitFor(
      'pg1 to bootstrap',
      async () => {
        if (!isRunning(readPid(p.pidFile('patroni-pg1')), 'patroni')) {
          throw new Error(`patroni pg1 exited; see ${join(p.logs, 'patroni-pg1.out')}`);
        }
        return (await restStatus(c, 'pg1', '/primary')) === 200;
      },
      90_000,
    );
    opts.log(`pg1 bootstrapped as primary (${secs()})`);
  }
  for (const n of c.nodeNames) await startNode(c, n);
  await startHaproxy(c);
  const leader = await waitHealthy(c);
  opts.log(`${leader} primary with a synchronous standby, write endpoint serving (${secs()})`);
  await ensureAppDatabase(c);
  return c;
}

/**
 * Stops everything recorded in the folder: HAProxy, the standby's Patroni, the leader's (each
 * stops its PostgreSQL), any postmaster left by a killed Patroni, then etcd.
 */
export async function clusterDown(dir: string, purge: boolean, log: (s: string) => void): Promise<void> {
  const c = readCluster(dir);
  if (c) {
    const p = paths(c);
    if (await stopPid(readPid(p.pidFile('haproxy')), 'haproxy', 5000)) log('haproxy stopped');
    const leader = await currentLeader(c);
    const order = c.nodeNames.filter((n) => n !== leader).concat(leader ? [leader] : []);
    for (const n of order) {
      if (await stopPid(readPid(p.pidFile(`patroni-${n}`)), 'patroni', 30_000)) log(`patroni ${n} stopped`);
      if (await stopPid(postmasterPid(p.pgData(n)), 'postgres', 15_000, 'SIGINT')) log(`postgres ${n} stopped`);
    }
    if (await stopPid(readPid(p.pidFile('etcd')), 'etcd', 10_000)) log('etcd stopped');
    for (const name of ['haproxy', 'etcd', ...c.nodeNames.map((n) => `patroni-${n}`)]) removeFile(p.pidFile(name));
  }
  if (purge && existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    log(`${dir} deleted`);
  }
}

export interface StatusLine {
  component: string;
  pid: number | undefined;
  detail: string;
}

export async function clusterStatus(c: ClusterConfig): Promise<StatusLine[]> {
  const p = paths(c);
  const line = (component: string, program: string, detail: string): StatusLine => {
    const pid = readPid(p.pidFile(component));
    return { component, pid: isRunning(pid, program) ? pid : undefined, detail };
  };
  const lines = [line('etcd', 'etcd', `127.0.0.1:${c.ports.etcdClient}`)];
  for (const n of c.nodeNames) {
    const s = await nodeStatus(c, n);
    const tl = s.timeline ? ` TL${s.timeline}` : '';
    const sync = (await restStatus(c, n, '/sync')) === 200 ? ' (sync standby)' : '';
    lines.push(
      line(`patroni-${n}`, 'patroni', `${s.role} ${s.state}${tl}${sync}, pg 127.0.0.1:${c.ports.postgres[n]}`),
    );
  }
  lines.push(line('haproxy', 'haproxy', `write :${c.ports.write}, read :${c.ports.read}, stats :${c.ports.stats}`));
  return lines;
}
