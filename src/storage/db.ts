import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.js';
import type { Database } from './schema.js';

export interface DbOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://` for a throwaway database. */
  dataDir: string;
  /** PostgreSQL schema to use (created when missing); isolates test runs. */
  schema?: string | undefined;
  poolSize?: number;
}

export interface Db {
  kysely: Kysely<Database>;
  driver: 'pglite' | 'postgres';
  /** The embedded database (PGlite only): its notifications arrive in-process. */
  pglite?: PGlite;
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
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // A pooled client that errors while idle is dropped by pg; log nothing here (no secrets).
    pool.on('error', () => {});
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, driver: 'postgres', close: () => kysely.destroy() };
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
  const kysely = new Kysely<Database>({ dialect: new PGliteDialect(client) });
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

export const ping = async (db: Db): Promise<void> => {
  await sql`SELECT 1`.execute(db.kysely);
};
