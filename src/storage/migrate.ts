import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m001 from './migrations/001-foundation.js';
import * as m002 from './migrations/002-auth.js';
import * as m003 from './migrations/003-decisions.js';
import * as m004 from './migrations/004-sso.js';
import * as m005 from './migrations/005-scim.js';
import * as m006 from './migrations/006-imports.js';
import * as m007 from './migrations/007-principal-version.js';
import * as m008 from './migrations/008-listing-indexes.js';
import * as m009 from './migrations/009-idempotent-work.js';
import * as m014 from './migrations/014-outbox.js';
import * as m015 from './migrations/015-share-consent.js';
import * as m016 from './migrations/016-email-verification.js';
import * as m017 from './migrations/017-outbox-given-up.js';
import * as m018 from './migrations/018-openid-provider.js';
import * as m019 from './migrations/019-oidc-grant-tenant.js';
import * as m020 from './migrations/020-webhooks.js';
import * as m021 from './migrations/021-instances.js';
import * as m022 from './migrations/022-oidc-grant-home-tenant.js';
import * as m023 from './migrations/023-mfa.js';
import type { Database } from './schema.js';

const MIGRATIONS: Record<string, Migration> = {
  '001-foundation': m001,
  '002-auth': m002,
  '003-decisions': m003,
  '004-sso': m004,
  '005-scim': m005,
  '006-imports': m006,
  '007-principal-version': m007,
  '008-listing-indexes': m008,
  '009-idempotent-work': m009,
  '014-outbox': m014,
  '015-share-consent': m015,
  '016-email-verification': m016,
  '017-outbox-given-up': m017,
  '018-openid-provider': m018,
  '019-oidc-grant-tenant': m019,
  '020-webhooks': m020,
  '021-instances': m021,
  '022-oidc-grant-home-tenant': m022,
  '023-mfa': m023,
};

/** Every migration this version knows, by name (the status endpoint compares them with the applied). */
export const KNOWN_MIGRATIONS: readonly string[] = Object.keys(MIGRATIONS).sort();

class InCodeProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Runs every pending migration; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<string[]> {
  // Name the schema: Kysely's existence check of its own tables would otherwise see the
  // tables of another schema in the same database and skip creating ours.
  const migrator = new Migrator({
    db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: new InCodeProvider(),
    migrationTableName: 'kontor_migrations',
    migrationLockTableName: 'kontor_migrations_lock',
    // Migrations are independent of each other; a database that ran a later one first (features
    // landed out of number order) still takes an earlier one.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
