import type { ClusterConfig } from './cluster-config.js';

/**
 * HAProxy in TCP mode: the write endpoint sends connections to the node whose Patroni answers
 * `GET /primary` with 200, the read endpoint to nodes answering `GET /replica`. Checks every
 * second, down after two failures, and `shutdown-sessions` cuts the connections to a node marked
 * down so clients notice at once instead of waiting on a dead socket.
 */
export function renderHaproxyConfig(c: ClusterConfig): string {
  const servers = c.nodeNames.map(
    (n) => `    server ${n} 127.0.0.1:${c.ports.postgres[n]} maxconn 100 check port ${c.ports.rest[n]}`,
  );
  const listen = (name: string, port: number, check: string) => [
    `listen ${name}`,
    `    bind 127.0.0.1:${port}`,
    `    option httpchk GET ${check}`,
    '    http-check expect status 200',
    '    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions',
    ...servers,
    '',
  ];
  return [
    '# Written by `kontor cluster up`; edits are overwritten.',
    'global',
    '    maxconn 400',
    'defaults',
    '    mode tcp',
    '    retries 2',
    '    timeout client 30m',
    '    timeout connect 2s',
    '    timeout server 30m',
    '    timeout check 2s',
    '',
    'listen stats',
    '    mode http',
    `    bind 127.0.0.1:${c.ports.stats}`,
    '    stats enable',
    '    stats uri /',
    '',
    ...listen('pg_primary', c.ports.write, '/primary'),
    ...listen('pg_replicas', c.ports.read, '/replica'),
  ].join('\n');
}
