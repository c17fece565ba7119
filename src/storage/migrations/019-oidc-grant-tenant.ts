import { type Kysely, sql } from 'kysely';

/**
 * The acting tenant of an OP grant (issue 15). oidc-provider's Grant has no room for it, and the
 * tenant decides every claim, so it is kept next to the grant's row: claims are read from it on
 * each token request, and ending a share or a role ends the grants of that tenant in one
 * statement. One active signing key per algorithm, so two instances starting at once cannot
 * both create one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE oidc_payloads ADD COLUMN tenant_id uuid`.execute(db);
  await sql`CREATE UNIQUE INDEX oidc_keys_one_active ON oidc_keys (alg) WHERE retired_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS oidc_keys_one_active`.execute(db);
  await sql`ALTER TABLE oidc_payloads DROP COLUMN IF EXISTS tenant_id`.execute(db);
}
