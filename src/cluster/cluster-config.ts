import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/** The PostgreSQL nodes a cluster may have; Patroni names them and they name their folders. */
export const NODE_NAMES = ['pg1', 'pg2', 'pg3'] as const;
export type NodeName = (typeof NODE_NAMES)[number];
/** Two by default (primary + synchronous standby); a third keeps a standby while one node is lost. */
export const DEFAULT_NODES = 2;

/** Patroni's cluster-wide timings (seconds), written to etcd once at bootstrap. */
export interface Timing {
  /** Leader key lease: a dead leader's key expires after this; it bounds the failover. */
  ttl: number;
  /** Sleep between HA loops: a crashed postmaster is restarted, a sync standby named, within it. */
  loopWait: number;
  /** How long etcd or PostgreSQL operations are retried before the leader demotes itself. */
  retryTimeout: number;
}

/**
 * ttl 10 / loop_wait 2 / retry_timeout 3: measured on this machine kind with Debian 12's Patroni
 * 3.0.2 (see docs/scale-out.md): node loss ≈ 9 s of write gap instead of 26 s with Patroni's
 * defaults (30/10/10), postmaster crash ≈ 2 s instead of 12 s. It keeps ttl ≥ loop_wait +
 * 2 × retry_timeout. Later Patroni versions want ttl ≥ 20: use 20/2/5 there.
 */
export const DEFAULT_TIMING: Timing = Object.freeze({ ttl: 10, loopWait: 2, retryTimeout: 3 });

/** 55000–55021 by default: clear of 5432/5433, 2379/2380 (a packaged etcd) and 5000/8008. */
export const DEFAULT_BASE_PORT = 55000;
/** The highest offset from the base port (pg3's REST API). */
const LAST_OFFSET = 22;

export interface Ports {
  /** HAProxy → the node whose Patroni `GET /primary` answers 200. */
  write: number;
  /** HAProxy → the nodes whose `GET /replica` answers 200. */
  read: number;
  /** HAProxy's statistics page (HTTP). */
  stats: number;
  etcdClient: number;
  etcdPeer: number;
  /** PostgreSQL port per node. */
  postgres: Record<NodeName, number>;
  /** Patroni REST API port per node. */
  rest: Record<NodeName, number>;
}

/** All ports from one base: write +0, read +1, stats +2, etcd +3/+4, PostgreSQL +10…+12, REST +20…+22. */
export function allocatePorts(base: number): Ports {
  if (!Number.isInteger(base) || base < 1024 || base + LAST_OFFSET > 65535) {
    throw new Error(`The base port must be a whole number from 1024 to ${65535 - LAST_OFFSET}, got ${base}`);
  }
  return {
    write: base,
    read: base + 1,
    stats: base + 2,
    etcdClient: base + 3,
    etcdPeer: base + 4,
    postgres: { pg1: base + 10, pg2: base + 11, pg3: base + 12 },
    rest: { pg1: base + 20, pg2: base + 21, pg3: base + 22 },
  };
}

export interface Secrets {
  superuser: string;
  replication: string;
  rewind: string;
  /** Password of the `kontor` login role that owns the `kontor` database. */
  app: string;
}

export function newSecrets(): Secrets {
  const pw = () => randomBytes(18).toString('base64url');
  return { superuser: pw(), replication: pw(), rewind: pw(), app: pw() };
}

/** What `cluster up` records in `<dir>/cluster.json` so that later commands use the same set-up. */
export interface ClusterState {
  scope: string;
  basePort: number;
  timing: Timing;
  secrets: Secrets;
  /** PostgreSQL nodes, 2 or 3 (absent in folders built before it existed: 2). */
  nodes?: number;
}

export interface ClusterConfig extends ClusterState {
  /** Absolute data folder: etcd, pg1, pg2 (pg3), haproxy, logs, run. */
  dir: string;
  ports: Ports;
  /** The nodes this cluster has, pg1 first. */
  nodeNames: NodeName[];
}

export const APP_ROLE = 'kontor';
export const APP_DATABASE = 'kontor';
export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';

export function clusterConfig(dir: string, state: ClusterState): ClusterConfig {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(state.scope)) throw new Error(`Invalid cluster scope ${state.scope}`);
  const { ttl, loopWait, retryTimeout } = state.timing;
  if (ttl < loopWait + 2 * retryTimeout) {
    throw new Error(`ttl (${ttl}) must be at least loop_wait + 2 × retry_timeout (${loopWait + 2 * retryTimeout})`);
  }
  const nodes = state.nodes ?? DEFAULT_NODES;
  if (nodes !== 2 && nodes !== 3) throw new Error(`A cluster has 2 or 3 PostgreSQL nodes, not ${nodes}`);
  return { ...state, dir: resolve(dir), ports: allocatePorts(state.basePort), nodeNames: NODE_NAMES.slice(0, nodes) };
}

/** Where each file of the cluster lives below its data folder. */
export const paths = (c: Pick<ClusterConfig, 'dir'>) => ({
  state: join(c.dir, 'cluster.json'),
  etcdData: join(c.dir, 'etcd', 'data'),
  nodeDir: (n: NodeName) => join(c.dir, n),
  patroniYml: (n: NodeName) => join(c.dir, n, 'patroni.yml'),
  pgData: (n: NodeName) => join(c.dir, n, 'data'),
  haproxyCfg: join(c.dir, 'haproxy', 'haproxy.cfg'),
  logs: join(c.dir, 'logs'),
  log: (name: string) => join(c.dir, 'logs', `${name}.log`),
  pidFile: (name: string) => join(c.dir, 'run', `${name}.pid`),
});

/** Connection string of the write (or read) endpoint as the given role. */
export function endpointUrl(
  c: ClusterConfig,
  which: 'write' | 'read',
  as: 'app' | 'superuser' = 'app',
  database = APP_DATABASE,
): string {
  const user = as === 'app' ? APP_ROLE : 'postgres';
  const pw = encodeURIComponent(as === 'app' ? c.secrets.app : c.secrets.superuser);
  return `postgres://${user}:${pw}@127.0.0.1:${c.ports[which]}/${database}`;
}
