import { type Kysely, sql } from 'kysely';

/** Import jobs: status and counts of a large import that runs in the background. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE import_jobs (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('running','succeeded','failed')),
      mode text NOT NULL CHECK (mode IN ('create','upsert')),
      total integer NOT NULL,
      processed integer NOT NULL DEFAULT 0,
      created integer NOT NULL DEFAULT 0,
      updated integer NOT NULL DEFAULT 0,
      error text,
      report jsonb,
      created_by uuid,
      created_at timestamptz NOT NULL,
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX import_jobs_running ON import_jobs (created_at) WHERE status = 'running'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS import_jobs`.execute(db);
}
