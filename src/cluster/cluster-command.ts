import type { Command } from 'commander';
import { endpointUrl } from './cluster-config.js';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

const DIR_HELP = 'the cluster’s data folder';
const DEFAULT_DIR = './data/cluster';

/** `kontor cluster up|down|status`: a local PostgreSQL HA cluster (Patroni + etcd + HAProxy). */
export function registerClusterCommand(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('a local HA PostgreSQL: etcd, two Patroni nodes (primary + sync standby), HAProxy');

  cluster
    .command('up')
    .description('install what is missing, build or start the cluster, print the endpoints (idempotent)')
    .option('--dir <dir>', DIR_HELP, DEFAULT_DIR)
    .option('--base-port <port>', 'first of 23 loopback ports (default 55000)', (v) => Number(v))
    .option('--ttl <seconds>', 'Patroni leader ttl for a new cluster (default 10)', (v) => Number(v))
    .option('--loop-wait <seconds>', 'Patroni loop_wait for a new cluster (default 2)', (v) => Number(v))
    .option('--retry-timeout <seconds>', 'Patroni retry_timeout for a new cluster (default 3)', (v) => Number(v))
    .option('--nodes <n>', 'PostgreSQL nodes of a new cluster: 2 (default) or 3', (v) => Number(v))
    .action(
      async (opts: {
        dir: string;
        basePort?: number;
        ttl?: number;
        loopWait?: number;
        retryTimeout?: number;
        nodes?: number;
      }) => {
        const { clusterUp } = await import('./cluster.js');
        const { DEFAULT_TIMING } = await import('./cluster-config.js');
        const c = await clusterUp({
          dir: opts.dir,
          basePort: opts.basePort,
          timing: {
            ttl: opts.ttl ?? DEFAULT_TIMING.ttl,
            loopWait: opts.loopWait ?? DEFAULT_TIMING.loopWait,
            retryTimeout: opts.retryTimeout ?? DEFAULT_TIMING.retryTimeout,
          },
          nodes: opts.nodes,
          log: out,
        });
        out('');
        out(`  write (primary):  ${endpointUrl(c, 'write')}`);
        out(`  read (replicas):  ${endpointUrl(c, 'read')}`);
        out(`  HAProxy stats:    http://127.0.0.1:${c.ports.stats}/`);
        out(`  DATABASE_URL='${endpointUrl(c, 'write')}' npm start`);
        out('');
      },
    );

  cluster
    .command('down')
    .description('stop every process the cluster runs (by recorded pid)')
    .option('--dir <dir>', DIR_HELP, DEFAULT_DIR)
    .option('--purge', 'also delete the data folder')
    .action(async (opts: { dir: string; purge?: boolean }) => {
      const { clusterDown } = await import('./cluster.js');
      await clusterDown(opts.dir, Boolean(opts.purge), out);
    });

  cluster
    .command('status')
    .description('processes, Patroni roles and endpoints')
    .option('--dir <dir>', DIR_HELP, DEFAULT_DIR)
    .action(async (opts: { dir: string }) => {
      const { clusterStatus, readCluster } = await import('./cluster.js');
      const c = readCluster(opts.dir);
      if (!c) {
        out(`No cluster in ${opts.dir}; run \`kontor cluster up\`.`);
        return;
      }
      for (const l of await clusterStatus(c)) {
        out(`${l.component.padEnd(12)} ${(l.pid ? String(l.pid) : 'stopped').padEnd(8)} ${l.detail}`);
      }
      out(`write: ${endpointUrl(c, 'write')}`);
      out(`read:  ${endpointUrl(c, 'read')}`);
    });
}
