import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m001 from './migrations/001-foundation.js';
import * as m002 from './migrations/002-auth.js';
import * as m006 from './migrations/006-imports.js';
import type { Database } from './schema.js';

const MIGRATIONS: Record<string, Migration> = {
  '001-foundation': m001,
  '002-auth': m002,
  '006-imports': m006,
};

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
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
