import { type Kysely, sql } from 'kysely';

/**
 * Widens the decision version (migration 003) to everything a request's principal and `/me`
 * are built from, so both can be served from a per-process cache that is exactly as fresh as
 * the decisions: a revoked session or token, a switched acting tenant, any edit of a user or a
 * tenant (each bumps its `version` column), and the SSO links, enablements and connections
 * behind the MSP tenant list. Session creation and last-seen touches, token last-use stamps
 * and sign-in throttling do not count: they happen on every request or sign-in and would empty
 * every cache.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const trigger = (name: string, table: string, event: string, when = '') =>
    sql
      .raw(
        `CREATE CONSTRAINT TRIGGER ${name} AFTER ${event} ON ${table} DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW ${when} EXECUTE FUNCTION kontor_bump_decision_version()`,
      )
      .execute(db);
  await sql`DROP TRIGGER users_decisions_state ON users`.execute(db);
  await sql`DROP TRIGGER tenants_decisions_place ON tenants`.execute(db);
  await trigger(
    'users_principal',
    'users',
    'UPDATE',
    `WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.state IS DISTINCT FROM NEW.state
       OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.must_change_password IS DISTINCT FROM NEW.must_change_password)`,
  );
  await trigger('tenants_principal', 'tenants', 'UPDATE', 'WHEN (OLD.* IS DISTINCT FROM NEW.*)');
  await trigger(
    'sessions_principal',
    'sessions',
    'UPDATE',
    `WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.acting_tenant_id IS DISTINCT FROM NEW.acting_tenant_id
       OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)`,
  );
  await trigger('sessions_principal_rows', 'sessions', 'DELETE');
  await trigger(
    'api_tokens_principal',
    'api_tokens',
    'UPDATE',
    `WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
       OR OLD.acting_tenant_id IS DISTINCT FROM NEW.acting_tenant_id)`,
  );
  await trigger('api_tokens_principal_rows', 'api_tokens', 'DELETE');
  for (const t of ['sso_links', 'sso_connections', 'sso_enablements']) {
    await trigger(`${t}_principal`, t, 'INSERT OR UPDATE OR DELETE');
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const drops: [string, string][] = [
    ['users_principal', 'users'],
    ['tenants_principal', 'tenants'],
    ['sessions_principal', 'sessions'],
    ['sessions_principal_rows', 'sessions'],
    ['api_tokens_principal', 'api_tokens'],
    ['api_tokens_principal_rows', 'api_tokens'],
    ['sso_links_principal', 'sso_links'],
    ['sso_connections_principal', 'sso_connections'],
    ['sso_enablements_principal', 'sso_enablements'],
  ];
  for (const [name, table] of drops) await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
  const trigger = (name: string, table: string, when: string) =>
    sql
      .raw(
        `CREATE CONSTRAINT TRIGGER ${name} AFTER UPDATE ON ${table} DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW ${when} EXECUTE FUNCTION kontor_bump_decision_version()`,
      )
      .execute(db);
  await trigger(
    'users_decisions_state',
    'users',
    'WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)',
  );
  await trigger(
    'tenants_decisions_place',
    'tenants',
    `WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.parent_id IS DISTINCT FROM NEW.parent_id
       OR OLD.path IS DISTINCT FROM NEW.path OR OLD.kind IS DISTINCT FROM NEW.kind)`,
  );
}
