import { type Kysely, sql } from 'kysely';

/**
 * Sign-in state. Secrets are stored only as SHA-256 hashes (session ids, API tokens, one-time
 * links). Sessions and tokens cascade with their user; throttle counters live here so every
 * instance counts the same attempts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id uuid NOT NULL,
      home_tenant_id uuid NOT NULL,
      acting_tenant_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      FOREIGN KEY (home_tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      token_hash text NOT NULL UNIQUE,
      user_id uuid NOT NULL,
      home_tenant_id uuid NOT NULL,
      acting_tenant_id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz,
      FOREIGN KEY (home_tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX api_tokens_user ON api_tokens (user_id)`.execute(db);

  await sql`
    CREATE TABLE throttle_counters (
      key text PRIMARY KEY,
      failures integer NOT NULL,
      window_start timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      fingerprint text NOT NULL,
      status integer,
      content_type text,
      body text,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (scope, key)
    )`.execute(db);

  await sql`
    CREATE TABLE one_time_tokens (
      token_hash text PRIMARY KEY,
      purpose text NOT NULL CHECK (purpose IN ('password_set','signup_confirm')),
      user_id uuid NOT NULL,
      tenant_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['one_time_tokens', 'idempotency_keys', 'throttle_counters', 'api_tokens', 'sessions']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
}
