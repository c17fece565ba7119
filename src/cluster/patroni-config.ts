import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ClusterConfig, type NodeName, PG_BIN_DIR, paths } from './cluster-config.js';

/**
 * One node's `patroni.yml`. Choices that matter (each learnt the hard way, see
 * ../shared/notes/ha-cluster.md and docs/scale-out.md):
 * - `etcd3:` (v3 API); `etcd:` is the v2 client, off by default in etcd 3.4.
 * - pg_hba under `bootstrap.dcs.postgresql` so Patroni writes the whole file: lines under
 *   `bootstrap.pg_hba` land after initdb's `trust` lines and passwords would not be checked.
 * - `synchronous_mode_strict`: a primary without a standby stops accepting writes instead of
 *   committing what the standby never saw.
 * - `wal_log_hints` and data checksums, and a rewind user, so pg_rewind can bring a failed
 *   leader back as a standby.
 */
export function patroniConfig(c: ClusterConfig, node: NodeName): Record<string, unknown> {
  const p = paths(c);
  const dir = p.nodeDir(node);
  const pgPort = c.ports.postgres[node];
  const restPort = c.ports.rest[node];
  return {
    scope: c.scope,
    namespace: '/service/',
    name: node,
    log: { level: 'INFO', dir: join(p.logs, `patroni-${node}`) },
    restapi: { listen: `127.0.0.1:${restPort}`, connect_address: `127.0.0.1:${restPort}` },
    etcd3: { hosts: `127.0.0.1:${c.ports.etcdClient}` },
    bootstrap: {
      dcs: {
        ttl: c.timing.ttl,
        loop_wait: c.timing.loopWait,
        retry_timeout: c.timing.retryTimeout,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: true,
        synchronous_mode_strict: true,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          pg_hba: [
            'local all all trust',
            'host replication replicator 127.0.0.1/32 scram-sha-256',
            'host all all 127.0.0.1/32 scram-sha-256',
          ],
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            max_connections: 100,
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: '64MB',
            wal_log_hints: 'on',
            password_encryption: 'scram-sha-256',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${pgPort}`,
      connect_address: `127.0.0.1:${pgPort}`,
      data_dir: p.pgData(node),
      bin_dir: PG_BIN_DIR,
      pgpass: join(dir, 'pgpass'),
      authentication: {
        replication: { username: 'replicator', password: c.secrets.replication },
        superuser: { username: 'postgres', password: c.secrets.superuser },
        rewind: { username: 'rewind_user', password: c.secrets.rewind },
      },
      parameters: {
        unix_socket_directories: dir,
        logging_collector: 'on',
        log_directory: join(p.logs, node),
        log_filename: 'postgresql.log',
      },
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

export function renderPatroniYaml(c: ClusterConfig, node: NodeName): string {
  return `# Written by \`kontor cluster up\`; edits are overwritten. Cluster-wide settings (bootstrap.dcs)\n# are read once; change them later with \`patronictl edit-config\`.\n${stringify(patroniConfig(c, node))}`;
}
