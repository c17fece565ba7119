import { type Kysely, sql } from 'kysely';

/**
 * The servers running on this database (issue 19 #3): each writes its heartbeat here, so the
 * operations screen shows the other instances too. No host name, address or customer data: an
 * id made at start, times, the version and readiness. `system_jobs` keeps when a background job
 * (the purge) last ran and its counts, whichever instance ran it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE instances (
    id uuid PRIMARY KEY,
    started_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    version text NOT NULL,
    readiness text NOT NULL
  )`.execute(db);
  await sql`CREATE TABLE system_jobs (
    name text PRIMARY KEY,
    last_run_at timestamptz NOT NULL,
    result jsonb NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS system_jobs`.execute(db);
  await sql`DROP TABLE IF EXISTS instances`.execute(db);
}
