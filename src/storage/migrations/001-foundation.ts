import { type Kysely, sql } from 'kysely';

/**
 * The foundation schema. What the database can guarantee it guarantees: one root, valid
 * parent kinds (a composite foreign key onto (id, kind) plus a check), at most one primary
 * user per tenant, login names unique per tenant regardless of case, same-tenant links between
 * users, companies and roles, and an append-only audit table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('provider','reseller','consumer','carrier')),
      parent_id uuid,
      parent_kind text CHECK (parent_kind IN ('provider','reseller')),
      path text NOT NULL,
      depth integer NOT NULL CHECK (depth >= 0),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      slug text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','pending')),
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT tenants_id_kind UNIQUE (id, kind),
      CONSTRAINT tenants_parent_fk FOREIGN KEY (parent_id, parent_kind) REFERENCES tenants (id, kind),
      CONSTRAINT tenants_root_has_no_parent CHECK ((kind = 'provider') = (parent_id IS NULL)),
      CONSTRAINT tenants_parent_kind_given CHECK ((parent_id IS NULL) = (parent_kind IS NULL))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX tenants_slug ON tenants (slug)`.execute(db);
  await sql`CREATE UNIQUE INDEX tenants_one_root ON tenants ((kind)) WHERE kind = 'provider'`.execute(db);
  await sql`CREATE UNIQUE INDEX tenants_path ON tenants (path text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX tenants_parent ON tenants (parent_id)`.execute(db);

  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      login_name text NOT NULL CHECK (length(login_name) BETWEEN 1 AND 254),
      email text,
      display_name text NOT NULL,
      type text NOT NULL CHECK (type IN ('primary','secondary')),
      state text NOT NULL CHECK (state IN ('active','locked','disabled')),
      password_hash text,
      must_change_password boolean NOT NULL DEFAULT false,
      custom_fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CONSTRAINT users_tenant_id UNIQUE (tenant_id, id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_login ON users (tenant_id, lower(login_name))`.execute(db);
  await sql`CREATE UNIQUE INDEX users_one_primary ON users (tenant_id) WHERE type = 'primary'`.execute(db);

  await sql`
    CREATE TABLE roles (
      key text PRIMARY KEY,
      name text NOT NULL,
      category text NOT NULL CHECK (category IN ('administration','operation','business')),
      description text NOT NULL DEFAULT '',
      permissions text[] NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE user_roles (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role_key text NOT NULL REFERENCES roles (key),
      granted_by uuid,
      granted_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, role_key),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX user_roles_role ON user_roles (role_key)`.execute(db);

  await sql`
    CREATE TABLE companies (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      parent_company_id uuid,
      created_at timestamptz NOT NULL,
      CONSTRAINT companies_tenant_id UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, parent_company_id) REFERENCES companies (tenant_id, id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX companies_name ON companies (tenant_id, lower(name))`.execute(db);

  await sql`
    CREATE TABLE user_companies (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL,
      company_id uuid NOT NULL,
      PRIMARY KEY (user_id, company_id),
      FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);

  await sql`
    CREATE TABLE field_definitions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      key text NOT NULL,
      label text NOT NULL,
      type text NOT NULL CHECK (type IN ('text','number','boolean','date','select')),
      required boolean NOT NULL DEFAULT false,
      options jsonb NOT NULL DEFAULT '[]'::jsonb,
      CONSTRAINT field_definitions_key UNIQUE (tenant_id, key)
    )`.execute(db);

  await sql`
    CREATE TABLE shares (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      home_tenant_id uuid NOT NULL,
      target_tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('offered','active','ended')),
      expires_at timestamptz,
      created_by uuid NOT NULL,
      accepted_by uuid,
      ended_by uuid,
      created_at timestamptz NOT NULL,
      accepted_at timestamptz,
      ended_at timestamptz,
      FOREIGN KEY (home_tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
      CHECK (home_tenant_id <> target_tenant_id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX shares_open ON shares (user_id, target_tenant_id) WHERE status <> 'ended'`.execute(db);
  await sql`CREATE INDEX shares_target ON shares (target_tenant_id, status)`.execute(db);

  // Audit rows keep the tenant id as a plain value: the log outlives a removed tenant.
  await sql`
    CREATE TABLE audit_events (
      tenant_id uuid NOT NULL,
      seq bigint NOT NULL,
      at timestamptz NOT NULL,
      actor_user_id uuid,
      actor_tenant_id uuid,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text,
      details jsonb NOT NULL,
      ip text,
      request_id text,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (tenant_id, seq)
    )`.execute(db);
  await sql`CREATE INDEX audit_events_time ON audit_events (tenant_id, at)`.execute(db);
  await sql`
    CREATE TABLE audit_heads (
      tenant_id uuid PRIMARY KEY,
      seq bigint NOT NULL,
      hash text NOT NULL
    )`.execute(db);
  await sql`
    CREATE FUNCTION kontor_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = '42501';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION kontor_audit_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'audit_heads',
    'audit_events',
    'shares',
    'field_definitions',
    'user_companies',
    'companies',
    'user_roles',
    'roles',
    'users',
    'tenants',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)} CASCADE`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS kontor_audit_append_only()`.execute(db);
}
