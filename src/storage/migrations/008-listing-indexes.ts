import { type Kysely, sql } from 'kysely';

/**
 * Pages that cost the same at any size. A users page walks this index in order (`lower(login_name)` in byte order, then id, the
 * cursor's order), so a page costs the same in a tenant of 100 users and of 100,000; the
 * unique login index keeps its job of refusing duplicates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX users_page ON users (tenant_id, (lower(login_name) COLLATE "C"), id)`.execute(db);
  // The subtree walk: prefix match and depth-first order in one index, whatever the collation.
  await sql`CREATE INDEX tenants_tree ON tenants ((path COLLATE "C"))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS users_page`.execute(db);
  await sql`DROP INDEX IF EXISTS tenants_tree`.execute(db);
}
