import { type Kysely, sql } from 'kysely';

/**
 * SSO (issue 4): OIDC connections per tenant, identity links, enablements of a supplier's
 * connection by descendants, single-use sign-in flow state, and the external identity behind a
 * session (for the MSP switch). The client secret is stored only as AES-256-GCM ciphertext.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE sso_connections (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      issuer text NOT NULL,
      client_id text NOT NULL,
      client_secret_enc text,
      scopes text[] NOT NULL,
      id_token_algs text[] NOT NULL,
      claim_mapping jsonb NOT NULL,
      vouched_domains text[] NOT NULL,
      enabled boolean NOT NULL,
      link_policy text NOT NULL CHECK (link_policy IN ('manual','verified-email','jit')),
      jit_roles text[] NOT NULL,
      offered_to_subtree boolean NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sso_connections_tenant ON sso_connections (tenant_id)`.execute(db);

  // A descendant's explicit opt-in to a connection its supplier offers to the subtree.
  await sql`
    CREATE TABLE sso_enablements (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, connection_id)
    )`.execute(db);

  // One external identity maps to at most one user per tenant and connection; a user has at
  // most one identity per connection.
  await sql`
    CREATE TABLE sso_links (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
      issuer text NOT NULL,
      subject text NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      CONSTRAINT sso_links_identity UNIQUE (tenant_id, connection_id, issuer, subject),
      CONSTRAINT sso_links_user UNIQUE (tenant_id, user_id, connection_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX sso_links_identity_any ON sso_links (issuer, subject)`.execute(db);

  // state/nonce/PKCE of one sign-in attempt; looked up by the hash of `state`, bound to the
  // browser by the hash of a cookie value, consumed once.
  await sql`
    CREATE TABLE sso_flows (
      state_hash text PRIMARY KEY,
      browser_hash text NOT NULL,
      connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      return_to text,
      -- Set when a signed-in user links its own identity: the proof is tied to that user.
      link_user_id uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);

  // Which address of a user is known to be verified (kept apart from users: an email change
  // leaves a stale row that no longer matches, so it stops counting as verified).
  await sql`
    CREATE TABLE user_verified_emails (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      email text NOT NULL,
      verified_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, user_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);

  // The external identity a session was opened with: what the MSP switch looks links up by.
  await sql`
    CREATE TABLE sso_sessions (
      session_id_hash text PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
      issuer text NOT NULL,
      subject text NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'sso_sessions',
    'user_verified_emails',
    'sso_flows',
    'sso_links',
    'sso_enablements',
    'sso_connections',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
}
