import { type Kysely, sql } from 'kysely';

/**
 * Kontor as the OpenID Provider of the vendor's apps (issue 15): registered apps (clients),
 * oidc-provider's own records (codes, grants, sessions, refresh tokens, interactions) and the
 * signing keys. A client secret is stored only as a SHA-256 hash (it is 256 random bits, so a
 * slow hash buys nothing); a signing key's private half only sealed with KONTOR_SECRET_KEY.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE oidc_apps (
      id text PRIMARY KEY,
      tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      kind text NOT NULL CHECK (kind IN ('confidential','public')),
      auth_method text NOT NULL
        CHECK (auth_method IN ('client_secret_basic','client_secret_post','private_key_jwt','none')),
      secret_hash text,
      jwks jsonb,
      redirect_uris text[] NOT NULL,
      post_logout_redirect_uris text[] NOT NULL,
      backchannel_logout_uri text,
      scopes text[] NOT NULL,
      grant_types text[] NOT NULL,
      first_party boolean NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      version integer NOT NULL DEFAULT 1,
      created_by uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK ((kind = 'public') = (auth_method = 'none')),
      CHECK (auth_method NOT IN ('client_secret_basic','client_secret_post') OR secret_hash IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX oidc_apps_tenant ON oidc_apps (tenant_id)`.execute(db);

  // oidc-provider's adapter records, one table for every model. account_id, grant_id and uid are
  // copied out of the payload so a lock can end a user's grants and a grant's tokens in one
  // statement on any instance.
  await sql`
    CREATE TABLE oidc_payloads (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      account_id text,
      grant_id text,
      uid text,
      user_code text,
      expires_at timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (model, id)
    )`.execute(db);
  await sql`CREATE INDEX oidc_payloads_grant ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_account ON oidc_payloads (account_id) WHERE account_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_uid ON oidc_payloads (uid) WHERE uid IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_expires ON oidc_payloads (expires_at)`.execute(db);

  // Signing keys: the newest active key of each algorithm signs; a retired key stays published
  // (verifying what it signed) until publish_until.
  await sql`
    CREATE TABLE oidc_keys (
      kid text PRIMARY KEY,
      alg text NOT NULL CHECK (alg IN ('ES256','RS256')),
      private_jwk_sealed text NOT NULL,
      public_jwk jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      retired_at timestamptz,
      publish_until timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS oidc_keys`.execute(db);
  await sql`DROP TABLE IF EXISTS oidc_payloads`.execute(db);
  await sql`DROP TABLE IF EXISTS oidc_apps`.execute(db);
}
