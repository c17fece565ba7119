import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type ClusterConfig, paths } from './cluster-config.js';

const run = promisify(execFile);

/** One etcd member on loopback; its initial-cluster flags are ignored once its data exists. */
export function etcdArgs(c: ClusterConfig): string[] {
  const name = `${c.scope}-etcd`;
  const client = `http://127.0.0.1:${c.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${c.ports.etcdPeer}`;
  return [
    '--name',
    name,
    '--data-dir',
    paths(c).etcdData,
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `${name}=${peer}`,
    '--initial-cluster-token',
    c.scope,
    '--initial-cluster-state',
    'new',
  ];
}

export async function etcdHealthy(c: ClusterConfig): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${c.ports.etcdClient}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/**
 * Deletes Patroni's keys of this scope. Needed whenever the PostgreSQL data is rebuilt while
 * etcd keeps its data: the stored system identifier would no longer match and no node would start.
 */
export async function removeClusterKeys(c: ClusterConfig): Promise<void> {
  await run(
    '/usr/bin/etcdctl',
    [`--endpoints=http://127.0.0.1:${c.ports.etcdClient}`, 'del', '--prefix', `/service/${c.scope}/`],
    { env: { ...process.env, ETCDCTL_API: '3' } },
  );
}
