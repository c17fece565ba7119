import { type Kysely, sql } from 'kysely';

/**
 * A mail that failed every attempt is given up (issue 14 #7): kept with its last error for the
 * operator to see, no longer claimed, purged after 30 days like other spent state.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN given_up_at timestamptz`.execute(db);
  await sql`DROP INDEX IF EXISTS outbox_due`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (topic, next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS outbox_due`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN IF EXISTS given_up_at`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (topic, next_attempt_at) WHERE sent_at IS NULL`.execute(db);
}
