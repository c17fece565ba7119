import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { PG_BIN_DIR } from './cluster-config.js';

const run = promisify(execFile);

/** Debian package → a file it installs. PostgreSQL 15 itself must be there already. */
const PACKAGES: Record<string, string> = {
  patroni: '/usr/bin/patroni',
  'etcd-server': '/usr/bin/etcd',
  'etcd-client': '/usr/bin/etcdctl',
  haproxy: '/usr/sbin/haproxy',
};

export function missingPackages(exists: (file: string) => boolean = existsSync): string[] {
  return Object.entries(PACKAGES)
    .filter(([, file]) => !exists(file))
    .map(([pkg]) => pkg);
}

/**
 * Installs Debian's patroni, etcd and haproxy when missing (root needed). In a container without
 * systemd nothing starts on install; on a systemd host the packaged etcd and haproxy do start, and
 * should be disabled (`systemctl disable --now etcd haproxy`) — ours use their own ports anyway.
 */
export async function ensurePackages(log: (s: string) => void): Promise<void> {
  if (!existsSync(`${PG_BIN_DIR}/postgres`)) {
    throw new Error(`PostgreSQL 15 is not installed (${PG_BIN_DIR}); install postgresql-15 first`);
  }
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`Missing packages ${missing.join(', ')}; installing them needs root`);
  log(`installing ${missing.join(', ')} with apt-get …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-q'], { env, maxBuffer: 1 << 24 });
  await run('apt-get', ['install', '-y', '-q', ...missing], { env, maxBuffer: 1 << 24 });
}
