import { randomBytes } from 'node:crypto';
import { seedDemo } from '../app/seed-demo.js';
import { createKontor } from '../compose.js';
import { createHttpApp } from '../compose-http.js';
import { loadConfig } from '../config/load-config.js';
import { startMetricsListener } from '../http/metrics-listener.js';
import { purgeExpired } from '../storage/housekeeping.js';
import { importStore } from '../storage/import-store.js';

const PURGE_EVERY_MS = 10 * 60 * 1000;

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/**
 * `kontor serve` (and `npm start`): migrate, bootstrap an empty database, optionally seed the
 * demo, listen, and shut down gracefully on SIGINT/SIGTERM.
 */
export async function serve(
  opts: { demo?: boolean },
  ensureProvider: (
    k: Awaited<ReturnType<typeof createKontor>>,
  ) => Promise<{ slug: string; login: string; password: string } | undefined>,
  printCredentials: (c: { slug: string; login: string; password: string }, url?: string) => void,
): Promise<void> {
  const config = loadConfig();
  const kontor = await createKontor(config);
  const creds = await ensureProvider(kontor);
  if (opts.demo) {
    const root = await kontor.deps.store.read((r) => r.tenants.findRoot());
    const admin = root && (await kontor.deps.store.read((r) => r.users.findPrimary(root.id)));
    if (root && admin) {
      const password = randomBytes(18).toString('base64url');
      const logins = await seedDemo(kontor.deps, { rootAdminId: admin.id, rootTenantId: root.id, password });
      if (logins) {
        out('  Demo seeded (password for every demo login, shown once; change at first sign-in):');
        out(`    password: ${password}`);
        for (const l of logins) out(`    ${l.tenant.padEnd(16)} ${l.username.padEnd(10)} ${l.roles.join(', ')}`);
      } else {
        out('  Demo data exists already.');
      }
    }
  }
  const app = await createHttpApp(kontor);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  if (creds) printCredentials(creds, url);
  out(`Kontor listens on ${url} (API reference: ${url}/docs)`);
  const metricsAt = config.metricsListen;
  const scrapes = metricsAt
    ? await startMetricsListener(kontor.metrics, metricsAt, (e) => app.log.warn({ err: e }, 'metrics scrape failed'))
    : undefined;
  if (scrapes) out(`Metrics for scrapers (no sign-in): ${scrapes.url}/metrics`);
  // Expired sessions, links and counters are removed here, on every instance (deletes are
  // idempotent); a failure only logs, sign-in never depends on it.
  const purge = () =>
    purgeExpired(kontor.db.kysely, new Date(), {
      sessionIdleSeconds: config.sessionIdleSeconds,
      throttleWindowSeconds: config.login.windowSeconds,
    }).catch((e: unknown) => app.log.warn({ err: e }, 'purging expired sign-in state failed'));
  void purge();
  // An import job still `running` an hour after it started belongs to a process that died:
  // its transaction rolled back, so it is marked failed (younger ones may run elsewhere).
  void importStore(kontor.db.kysely)
    .read((r) => r.imports.failInterrupted(new Date(Date.now() - 3600_000), new Date()))
    .catch((e: unknown) => app.log.warn({ err: e }, 'marking interrupted imports failed'));
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS);
  purgeTimer.unref();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(purgeTimer);
    out(`${signal}: shutting down`);
    await scrapes?.close();
    await app.close();
    await kontor.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
