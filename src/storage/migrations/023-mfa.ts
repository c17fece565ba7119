import { type Kysely, sql } from 'kysely';

/**
 * Second factors and the security policy (issue 16, docs/decisions/0018-mfa-and-policy.md).
 * - `tenant_security_policies`: what each tenant sets itself (unset keys inherit); a change bumps
 *   the decision version, so every instance's principal cache sees it on the next request.
 * - `user_factors`: TOTP secrets only sealed with KONTOR_SECRET_KEY (AES-256-GCM, like SSO
 *   client secrets); `last_used_step` refuses a replayed code in one conditional UPDATE.
 *   One TOTP factor per user; an unconfirmed enrolment is a row without `confirmed_at`.
 * - passkeys: the credential's id, public key (COSE, base64url) and signature counter;
 *   `webauthn_challenges` holds issued challenges by hash, single use.
 * - `user_recovery_codes`: SHA-256 of high-entropy codes; single use through `used_at`.
 * - sessions learn how they were authenticated (`amr`, `auth_time`).
 * - a pending second-factor sign-in is a one-time token of its own purpose.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenant_security_policies (
      tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
      settings jsonb NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
    await sql
      .raw(
        `CREATE CONSTRAINT TRIGGER tenant_security_policies_principal_${event.toLowerCase()} AFTER ${event}
         ON tenant_security_policies DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION kontor_bump_decision_version()`,
      )
      .execute(db);
  }
  await sql`
    CREATE TABLE user_factors (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('totp','passkey')),
      label text NOT NULL,
      secret_sealed text,
      last_used_step bigint,
      credential_id text,
      public_key text,
      sign_count bigint,
      transports jsonb,
      created_at timestamptz NOT NULL,
      confirmed_at timestamptz,
      last_used_at timestamptz,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX user_factors_one_totp ON user_factors (user_id) WHERE kind = 'totp'`.execute(db);
  // A credential id names one key: the same authenticator cannot be registered twice in a tenant.
  await sql`CREATE UNIQUE INDEX user_factors_credential ON user_factors (tenant_id, credential_id)
    WHERE credential_id IS NOT NULL`.execute(db);
  // Issued WebAuthn challenges (by hash, single use); a passwordless sign-in has no user yet.
  await sql`
    CREATE TABLE webauthn_challenges (
      challenge_hash text PRIMARY KEY,
      purpose text NOT NULL CHECK (purpose IN ('webauthn_register','webauthn_authenticate')),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      user_id uuid,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);
  await sql`
    CREATE TABLE user_recovery_codes (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      code_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      used_at timestamptz,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX user_recovery_codes_hash ON user_recovery_codes (user_id, code_hash)`.execute(db);
  await sql`ALTER TABLE sessions ADD COLUMN amr jsonb NOT NULL DEFAULT '["pwd"]'::jsonb`.execute(db);
  await sql`ALTER TABLE sessions ADD COLUMN auth_time timestamptz`.execute(db);
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT IF EXISTS one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_set','signup_confirm','email_verify','mfa_pending'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM one_time_tokens WHERE purpose = 'mfa_pending'`.execute(db);
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT IF EXISTS one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_set','signup_confirm','email_verify'))`.execute(db);
  await sql`ALTER TABLE sessions DROP COLUMN IF EXISTS auth_time`.execute(db);
  await sql`ALTER TABLE sessions DROP COLUMN IF EXISTS amr`.execute(db);
  await sql`DROP TABLE IF EXISTS webauthn_challenges`.execute(db);
  await sql`DROP TABLE IF EXISTS user_recovery_codes`.execute(db);
  await sql`DROP TABLE IF EXISTS user_factors`.execute(db);
  await sql`DROP TABLE IF EXISTS tenant_security_policies`.execute(db);
}
