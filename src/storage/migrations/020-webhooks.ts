import { type Kysely, sql } from 'kysely';

/**
 * Signed webhooks (issue 17). A subscription belongs to a tenant and wants its events, or its
 * whole subtree's. Secrets are sealed with KONTOR_SECRET_KEY; during a rotation the previous one
 * still signs until `previous_valid_until`. A delivery is the outbox row of one audit event for
 * one subscription, written in the event's own transaction; `seq` orders a subscription's
 * deliveries (the audit head lock serialises a tenant's appenders, so a tenant's events take
 * increasing values), and `lease_until` holds a claimed delivery for the worker that claimed it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_subscriptions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
      description text NOT NULL DEFAULT '',
      event_types text[],
      scope text NOT NULL CHECK (scope IN ('tenant','subtree')),
      secret_enc text NOT NULL,
      previous_secret_enc text,
      previous_valid_until timestamptz,
      state text NOT NULL CHECK (state IN ('active','failing','disabled')),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id)`.execute(db);
  await sql`
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL,
      event_seq bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('pending','delivered','failing','given_up')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      lease_until timestamptz,
      first_attempt_at timestamptz,
      last_status integer,
      last_latency_ms integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL,
      FOREIGN KEY (tenant_id, event_seq) REFERENCES audit_events (tenant_id, seq) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_open ON webhook_deliveries (subscription_id, seq)
    WHERE status IN ('pending','failing')`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS webhook_deliveries`.execute(db);
  await sql`DROP TABLE IF EXISTS webhook_subscriptions`.execute(db);
}
