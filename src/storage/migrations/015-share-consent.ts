import { type Kysely, sql } from 'kysely';

/**
 * The role set the importing tenant accepted with a share (decision 0007): a shared user acts
 * there with at most these roles, whatever its home adds later. Shares already active consented
 * to the roles the user holds now, the closest record of what was seen; offered ones get theirs
 * on acceptance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shares ADD COLUMN accepted_roles jsonb`.execute(db);
  await sql`UPDATE shares s SET accepted_roles = COALESCE((SELECT jsonb_agg(ur.role_key ORDER BY ur.role_key)
      FROM user_roles ur WHERE ur.user_id = s.user_id AND ur.tenant_id = s.home_tenant_id), '[]'::jsonb)
    WHERE s.status = 'active'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE shares DROP COLUMN IF EXISTS accepted_roles`.execute(db);
}
