import { type Kysely, sql } from 'kysely';

/** Tables whose changes can change an authorization decision (DESIGN §2). */
const WATCHED = ['users', 'user_roles', 'roles', 'shares', 'tenants'] as const;

/**
 * The decision version: one counter raised by every committed transaction that can change an
 * authorization decision, announced with `pg_notify('kontor_decisions', 'schema:version')`. Triggers
 * rather than use cases raise it, so no code path can forget to invalidate.
 *
 * The triggers are deferred constraint triggers: they run at commit, so the counter row is locked
 * only for the last moment of a transaction (it cannot take part in a deadlock: it is the last
 * lock taken), and a transaction-local setting raises it once however many rows changed.
 * Updates of users and tenants count only when a column the decisions read changed, so sign-ins
 * (which touch users) do not empty every cache.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE decision_version (
      id int PRIMARY KEY CHECK (id = 1),
      version bigint NOT NULL
    )`.execute(db);
  await sql`INSERT INTO decision_version (id, version) VALUES (1, 1)`.execute(db);
  // SET search_path FROM CURRENT: the function finds this schema's counter whoever fires it.
  await sql`
    CREATE FUNCTION kontor_bump_decision_version() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    DECLARE v bigint;
    BEGIN
      IF current_setting('kontor.decision_bumped', true) = 'yes' THEN RETURN NULL; END IF;
      PERFORM set_config('kontor.decision_bumped', 'yes', true);
      UPDATE decision_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
      PERFORM pg_notify('kontor_decisions', current_schema() || ':' || v);
      RETURN NULL;
    END $$`.execute(db);
  const trigger = (name: string, table: string, event: string, when = '') =>
    sql
      .raw(
        `CREATE CONSTRAINT TRIGGER ${name} AFTER ${event} ON ${table} DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW ${when} EXECUTE FUNCTION kontor_bump_decision_version()`,
      )
      .execute(db);
  for (const t of ['user_roles', 'roles', 'shares']) await trigger(`${t}_decisions`, t, 'INSERT OR UPDATE OR DELETE');
  for (const t of ['users', 'tenants']) await trigger(`${t}_decisions_rows`, t, 'INSERT OR DELETE');
  await trigger(
    'users_decisions_state',
    'users',
    'UPDATE',
    'WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)',
  );
  await trigger(
    'tenants_decisions_place',
    'tenants',
    'UPDATE',
    `WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.parent_id IS DISTINCT FROM NEW.parent_id
       OR OLD.path IS DISTINCT FROM NEW.path OR OLD.kind IS DISTINCT FROM NEW.kind)`,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of WATCHED) {
    for (const name of [`${t}_decisions`, `${t}_decisions_rows`, `${t}_decisions_state`, `${t}_decisions_place`]) {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${t}`).execute(db);
    }
  }
  await sql`DROP FUNCTION IF EXISTS kontor_bump_decision_version()`.execute(db);
  await sql`DROP TABLE IF EXISTS decision_version`.execute(db);
}
