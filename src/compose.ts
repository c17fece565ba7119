import { randomBytes, randomUUID } from 'node:crypto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtelTracing } from './adapters/otel-tracing.js';
import { PrometheusMetrics } from './adapters/prometheus-metrics.js';
import type { AppsDeps } from './app/apps/app-access.js';
import type { BreakGlassDeps } from './app/break-glass.js';
import type { AppDeps } from './app/context.js';
import type { DecisionEngine } from './app/decisions.js';
import { applyRoles } from './app/roles.js';
import { wireDecisions } from './compose-decisions.js';
import { readAppPermissions, readRolesFile } from './config/catalogue-files.js';
import type { Config } from './config/load-config.js';
import { normalisingHasher } from './domain/password-policy.js';
import { PermissionCatalogue } from './domain/permissions.js';
import type { PasswordHasher } from './domain/ports.js';
import { argon2Hasher } from './storage/argon2-hasher.js';
import { authStore, nodeTokenCrypto } from './storage/auth-store.js';
import { type Db, openDb, primaryWritable } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { openReadReplica, type ReadReplica } from './storage/read-replica.js';
import { DEFAULT_RETRY_BUDGET } from './storage/retry.js';
import { kyselyStore, setStorageMetrics, setStorageTracing } from './storage/store.js';
import { sampleOps } from './storage/system-store.js';
import { KONTOR_VERSION } from './version.js';

export interface Kontor {
  config: Config;
  db: Db;
  deps: AppDeps;
  /** Authorization decisions (also `deps.decisions`). */
  decisions: DecisionEngine;
  /**
   * Registers an in-process cache to be emptied when the database connection behind NOTIFY is
   * lost or comes back (missed invalidations); returns an unregister function.
   */
  onResync(drop: () => void): () => void;
  /** Operational metrics (issue 19), also `deps.metrics`; served by the HTTP layer at /metrics. */
  metrics: PrometheusMetrics;
  /**
   * OpenTelemetry tracing (issue 19 #2), only when configured (KONTOR_OTLP_ENDPOINT): absent,
   * nothing creates a span. Flushed and stopped by `close`.
   */
  tracing?: OtelTracing;
  /** The read replica (DATABASE_READ_URL), when configured. */
  readReplica?: ReadReplica;
  close(): Promise<void>;
}

/** A one-time password for bootstrap: 24 random bytes, well above the policy's minimum. */
export const oneTimePassword = (): string => randomBytes(24).toString('base64url');

/** What the operator's break-glass commands need: the sign-in counters live in the auth store. */
export const operatorDeps = (k: Pick<Kontor, 'deps' | 'db'>): BreakGlassDeps => ({
  ...k.deps,
  authStore: authStore(k.db.kysely),
  oneTimePassword,
});

/** What the operator's app commands (kontor apps …) need: the secret generator beside the usual deps. */
export const appsDeps = (k: Pick<Kontor, 'deps'>): AppsDeps => ({ ...k.deps, tokens: nodeTokenCrypto });

/**
 * The one place that wires storage into the app layer. Opens the database, runs pending
 * migrations and, on an empty role table, applies the configured role file.
 */
export async function createKontor(
  config: Config,
  opts: {
    hasher?: PasswordHasher;
    /** Where spans go instead of OTLP (tests); used only while tracing is configured. */
    spanExporter?: SpanExporter;
  } = {},
): Promise<Kontor> {
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.dbSchema,
    retry: { ...DEFAULT_RETRY_BUDGET, attempts: config.storage.retryAttempts, budgetMs: config.storage.retryBudgetMs },
    connectTimeoutMs: config.storage.connectTimeoutMs,
    statementTimeoutMs: config.storage.statementTimeoutMs,
  });
  const metrics = new PrometheusMetrics({
    sample: () => sampleOps(db.kysely, new Date(), config.sessionIdleSeconds),
    ...(db.poolStats ? { pool: db.poolStats } : {}),
  });
  setStorageMetrics(db.kysely, metrics);
  const tracing = config.tracing
    ? new OtelTracing(config.tracing, {
        version: KONTOR_VERSION,
        ...(opts.spanExporter ? { exporter: opts.spanExporter } : {}),
      })
    : undefined;
  if (tracing) setStorageTracing(db.kysely, tracing);
  try {
    await migrateToLatest(db.kysely, config.dbSchema ?? (db.driver === 'postgres' ? 'public' : undefined));
    const deps: AppDeps = {
      store: kyselyStore(db.kysely),
      clock: { now: () => new Date() },
      ids: { newId: randomUUID },
      hasher: normalisingHasher(opts.hasher ?? argon2Hasher()),
      catalogue: new PermissionCatalogue(readAppPermissions(config.appPermissionsFile)),
      primaryReady: () => primaryWritable(db),
      metrics,
    };
    const roles = await deps.store.read((r) => r.roles.list());
    if (roles.length === 0) await applyRoles(deps, null, readRolesFile(config.rolesFile), { dryRun: false });
    const decisions = await wireDecisions(db, deps, config);
    // After the decision wiring: the replica's fallback and writes use the tracked primary store.
    const readReplica =
      config.databaseReadUrl && config.databaseUrl
        ? openReadReplica(
            {
              databaseUrl: config.databaseReadUrl,
              dataDir: config.dataDir,
              schema: config.dbSchema,
              connectTimeoutMs: config.storage.connectTimeoutMs,
              statementTimeoutMs: config.storage.statementTimeoutMs,
            },
            deps.store,
          )
        : undefined;
    if (readReplica) deps.readStore = readReplica.store;
    const close = async () => {
      await decisions.close();
      await readReplica?.close();
      await db.close();
      // Last: the spans of the closing work go out too.
      await tracing?.shutdown();
    };
    return {
      config,
      db,
      deps,
      decisions: decisions.engine,
      metrics,
      onResync: decisions.onResync,
      close,
      ...(readReplica ? { readReplica } : {}),
      ...(tracing ? { tracing } : {}),
    };
  } catch (e) {
    await db.close();
    await tracing?.shutdown();
    throw e;
  }
}
