import { type Kysely, sql } from 'kysely';

/**
 * SCIM provisioning (issue 6): the provisioning client's `externalId` of users and of groups
 * (companies). One table per resource so that each row cascades with its resource; an external
 * id is unique per tenant, so a lookup by it finds exactly one resource.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE scim_user_external_ids (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 1024),
      PRIMARY KEY (tenant_id, user_id),
      CONSTRAINT scim_user_external_ids_unique UNIQUE (tenant_id, external_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`
    CREATE TABLE scim_group_external_ids (
      tenant_id uuid NOT NULL,
      company_id uuid NOT NULL,
      external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 1024),
      PRIMARY KEY (tenant_id, company_id),
      CONSTRAINT scim_group_external_ids_unique UNIQUE (tenant_id, external_id),
      FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE scim_group_external_ids`.execute(db);
  await sql`DROP TABLE scim_user_external_ids`.execute(db);
}
