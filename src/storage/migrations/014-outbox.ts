import { type Kysely, sql } from 'kysely';

/**
 * The transactional outbox (issue 14 #7): effects after commit (mail today, webhooks later, told
 * apart by `topic`) are written in the same transaction as the change and sent by a worker.
 * `next_attempt_at` doubles as the claim lease: a claimed row is pushed into the future, so a
 * worker that dies mid-send leaves it to be picked up again when the lease runs out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE outbox (
      id uuid PRIMARY KEY,
      topic text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      next_attempt_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (topic, next_attempt_at) WHERE sent_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS outbox`.execute(db);
}
