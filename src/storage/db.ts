import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import { commitAwareDialect, droppingPool } from './fault-aware-driver.js';
import { DEFAULT_RETRY_BUDGET, type RetryBudget } from './retry.js';
import type { Database } from './schema.js';
import { setRetryBudget, tracingOf } from './store.js';

export interface DbOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://` for a throwaway database. */
  dataDir: string;
  /** PostgreSQL schema to use (created when missing); isolates test runs. */
  schema?: string | undefined;
  poolSize?: number;
  /** How units of work retry transient faults; default {@link DEFAULT_RETRY_BUDGET}. */
  retry?: RetryBudget;
  /** Opening a connection (or waiting for a pooled one) fails after this; default 2000 ms. */
  connectTimeoutMs?: number;
  /**
   * Server-side `statement_timeout` (0: none); default 30 s. The client gives up 5 s later
   * (`query_timeout`, also bounding a COMMIT stuck in synchronous replication: its outcome is
   * then unknown, answered 503). PostgreSQL never applies statement_timeout to the commit wait,
   * and Kontor never sends a cancel request, so a COMMIT is never cancelled.
   */
  statementTimeoutMs?: number;
}

/** Pool settings for PostgreSQL: fail fast when the server is away, never reuse a broken client. */
export function poolConfig(opts: DbOptions): pg.PoolConfig {
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  return {
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    keepAlive: true,
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout, query_timeout: statementTimeout + 5000 } : {}),
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  };
}

export interface Db {
  kysely: Kysely<Database>;
  driver: 'pglite' | 'postgres';
  /** The embedded database (PGlite only): its notifications arrive in-process. */
  pglite?: PGlite;
  /** The connection pool's state now (PostgreSQL only), for metrics. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// Timestamps come back as Date and bigint counters as strings; int8 values we read are small
// sequence numbers, converted where read.
export async function openDb(opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const schema = opts.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`Invalid schema name ${schema}`);
    }
    if (schema) {
      const admin = new pg.Client({ connectionString: opts.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool(poolConfig(opts));
    // A pooled client that errors while idle is dropped by pg; log nothing here (no secrets).
    pool.on('error', () => {});
    // Looked up per statement: tracing is wired (compose) after the database is open.
    const kysely: Kysely<Database> = new Kysely<Database>({
      dialect: commitAwareDialect(new PostgresDialect({ pool: droppingPool(pool) }), () => tracingOf(kysely)),
    });
    setRetryBudget(kysely, opts.retry ?? DEFAULT_RETRY_BUDGET);
    return {
      kysely,
      driver: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => kysely.destroy(),
    };
  }
  if (!opts.dataDir.startsWith('memory://')) mkdirSync(opts.dataDir, { recursive: true });
  const lock = opts.dataDir.startsWith('memory://') ? undefined : acquireDataDirLock(opts.dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(opts.dataDir);
  } catch (e) {
    lock?.release();
    throw e;
  }
  const kysely: Kysely<Database> = new Kysely<Database>({
    dialect: commitAwareDialect(new PGliteDialect(client), () => tracingOf(kysely)),
  });
  setRetryBudget(kysely, opts.retry ?? DEFAULT_RETRY_BUDGET);
  return {
    kysely,
    driver: 'pglite',
    pglite: client,
    close: async () => {
      await kysely.destroy();
      if (!client.closed) await client.close();
      lock?.release();
    },
  };
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

/** True when `SELECT 1` answers within `timeoutMs`; one try, never throws (status probes). */
export async function answersWithin(db: Kysely<Database>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = sql`SELECT 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}

export const ping = async (db: Db): Promise<void> => {
  await sql`SELECT 1`.execute(db.kysely);
};

/**
 * True when the database accepts writes and answers within `timeoutMs`: not in recovery (a
 * standby) and not read-only (a demoted primary, `default_transaction_read_only`). One try, no
 * retry: a readiness probe asks again by itself.
 */
export async function primaryWritable(db: Db, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = sql<{ standby: boolean; read_only: string }>`
    SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only`
    .execute(db.kysely)
    .then(
      (r) => r.rows[0]?.standby === false && r.rows[0]?.read_only === 'off',
      () => false,
    );
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
