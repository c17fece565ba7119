import { type Kysely, sql } from 'kysely';

/**
 * The home tenant of a person acting through an SSO identity link (issue 15 #4): an MSP
 * technician signed in at the MSP acts in a customer tenant as the user linked there, whose own
 * home is the customer. The tenant she came from is known only at grant time (her Kontor
 * session), so it is kept beside the grant's acting tenant and named as `home_tenant`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE oidc_payloads ADD COLUMN home_tenant_id uuid`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE oidc_payloads DROP COLUMN IF EXISTS home_tenant_id`.execute(db);
}
