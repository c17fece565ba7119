import { type Kysely, sql } from 'kysely';

/** Address-verification links (issue 14 #6) are one-time tokens of their own purpose. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT IF EXISTS one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_set','signup_confirm','email_verify'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM one_time_tokens WHERE purpose = 'email_verify'`.execute(db);
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT IF EXISTS one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_set','signup_confirm'))`.execute(db);
}
