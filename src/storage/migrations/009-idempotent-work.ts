import { type Kysely, sql } from 'kysely';

/**
 * The work a request with an Idempotency-Key committed, journaled inside the very transactions
 * that did it: when the answer is lost (the connection broke during COMMIT, the process died
 * before storing the answer), a retry can tell that the work is done and answer from it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE idempotency_keys ADD COLUMN applied_results jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS applied_results`.execute(db);
}
