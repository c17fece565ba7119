import type { Selectable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import type { AuditEvent } from '../../domain/audit.js';
import {
  type ClaimedDelivery,
  type DeliveryStatus,
  WEBHOOK_TEST_ACTION,
  type WebhookDelivery,
  type WebhookRepo,
  webhookEvent,
} from '../../domain/webhooks.js';
import type { AuditEventsTable, Database } from '../schema.js';
import { toEvent } from './audit-rows.js';

/**
 * The outbox half of the audit append: one statement queues the event for every subscription
 * that wants it — of the event's tenant, or of an ancestor with subtree scope (the path names
 * the ancestors, so the subscription index is used). With no subscription it finds nothing and
 * writes nothing. A test event goes to the one subscription it names.
 */
export async function enqueueDeliveries(db: Kysely<Database>, e: AuditEvent, now: Date): Promise<void> {
  await sql`
    INSERT INTO webhook_deliveries
      (id, subscription_id, tenant_id, event_seq, status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid(), s.id, ${e.tenantId}, ${e.seq}, 'pending', 0, ${now}, ${now}
    FROM webhook_subscriptions s
    WHERE s.tenant_id IN (
        SELECT unnest(string_to_array(trim(both '/' from t.path), '/'))::uuid FROM tenants t WHERE t.id = ${e.tenantId}
      )
      AND s.state <> 'disabled'
      AND (s.tenant_id = ${e.tenantId} OR s.scope = 'subtree')
      AND CASE WHEN ${e.action} = ${WEBHOOK_TEST_ACTION} THEN s.id::text = ${e.targetId}
          ELSE (s.event_types IS NULL OR ${e.action} = ANY (s.event_types)) END
    ORDER BY s.id`.execute(db);
}

interface ClaimedRow extends Selectable<AuditEventsTable> {
  delivery_id: string;
  subscription_id: string;
  attempts: number;
  first_attempt_at: Date | null;
  subscription_tenant_id: string;
  url: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_valid_until: Date | null;
}

const toClaimed = (r: ClaimedRow, now: Date): ClaimedDelivery => ({
  id: r.delivery_id,
  subscriptionId: r.subscription_id,
  subscriptionTenantId: r.subscription_tenant_id,
  url: r.url,
  attempts: r.attempts,
  firstAttemptAt: r.first_attempt_at ?? now,
  secretsEnc:
    r.previous_secret_enc && r.previous_valid_until && r.previous_valid_until > now
      ? [r.secret_enc, r.previous_secret_enc]
      : [r.secret_enc],
  event: toEvent(r),
});

/** What a worker needs to send claimed deliveries, in seq order. */
async function loadClaimed(db: Kysely<Database>, ids: string[], now: Date): Promise<ClaimedDelivery[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .innerJoin('audit_events as e', (j) =>
      j.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.seq', '=', 'd.event_seq'),
    )
    .selectAll('e')
    .select([
      'd.id as delivery_id',
      'd.seq as delivery_seq',
      'd.subscription_id',
      'd.attempts',
      'd.first_attempt_at',
      's.tenant_id as subscription_tenant_id',
      's.url',
      's.secret_enc',
      's.previous_secret_enc',
      's.previous_valid_until',
    ])
    .where('d.id', 'in', ids)
    .orderBy('d.seq')
    .execute();
  return rows.map((r) => toClaimed(r, now));
}

type DeliveryMethods = Pick<
  WebhookRepo,
  'deliveries' | 'redeliver' | 'claim' | 'markDelivered' | 'markFailed' | 'markGivenUp'
>;

/** The outbox half of the webhook repository: the delivery log, the claim and the marks. */
export function webhookDeliveryRepo(db: Kysely<Database>): DeliveryMethods {
  const mark = (id: string) => db.updateTable('webhook_deliveries').where('id', '=', id);
  return {
    async deliveries(tenantId, subscriptionId, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .innerJoin('audit_events as e', (j) =>
          j.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.seq', '=', 'd.event_seq'),
        )
        .selectAll('e')
        .select([
          'd.id as delivery_id',
          'd.subscription_id',
          'd.status',
          'd.attempts',
          'd.next_attempt_at',
          'd.last_status',
          'd.last_latency_ms',
          'd.last_error',
          'd.delivered_at',
          'd.created_at',
        ])
        .where('s.tenant_id', '=', tenantId)
        .where('d.subscription_id', '=', subscriptionId)
        .orderBy('d.seq', 'desc')
        .limit(limit)
        .execute();
      return rows.map(
        (r): WebhookDelivery => ({
          id: r.delivery_id,
          subscriptionId: r.subscription_id,
          tenantId: r.tenant_id,
          eventSeq: Number(r.seq),
          type: r.action,
          event: webhookEvent(toEvent(r), tenantId),
          status: r.status as DeliveryStatus,
          attempts: r.attempts,
          nextAttemptAt: r.next_attempt_at,
          lastStatus: r.last_status,
          lastLatencyMs: r.last_latency_ms,
          lastError: r.last_error,
          deliveredAt: r.delivered_at,
          createdAt: r.created_at,
        }),
      );
    },
    async redeliver(tenantId, subscriptionId, deliveryId, now) {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, first_attempt_at: null })
        .where('id', '=', deliveryId)
        // Not one in flight: clearing its lease would let a second worker send it meanwhile.
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .where('subscription_id', '=', subscriptionId)
        .where('subscription_id', 'in', (eb) =>
          eb.selectFrom('webhook_subscriptions').select('id').where('tenant_id', '=', tenantId),
        )
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async claim(now, limit, leaseUntil) {
      // Heads: the oldest open delivery of each subscription. Only a head is claimable, and only
      // while unleased, so a subscription has at most one delivery in flight. The conditions are
      // repeated on the locked row: PostgreSQL re-checks them on the newest version of a row
      // another worker changed meanwhile, so a delivery just claimed elsewhere is not taken twice.
      const claimed = await sql<{ id: string }>`
        UPDATE webhook_deliveries d
        SET lease_until = ${leaseUntil}, attempts = d.attempts + 1, first_attempt_at = COALESCE(d.first_attempt_at, ${now})
        WHERE d.id IN (
          SELECT x.id FROM webhook_deliveries x
          WHERE x.id IN (
              SELECT DISTINCT ON (h.subscription_id) h.id FROM webhook_deliveries h
              WHERE h.status IN ('pending','failing') ORDER BY h.subscription_id, h.seq
            )
            AND x.status IN ('pending','failing')
            AND x.next_attempt_at <= ${now}
            AND (x.lease_until IS NULL OR x.lease_until <= ${now})
            AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = x.subscription_id AND s.state <> 'disabled')
          ORDER BY x.seq
          LIMIT ${limit}
          FOR UPDATE OF x SKIP LOCKED
        )
        RETURNING d.id`.execute(db);
      return loadClaimed(
        db,
        claimed.rows.map((r) => r.id),
        now,
      );
    },
    async markDelivered(id, r, now, leaseUntil) {
      // One statement: delivered, and a failing subscription active again.
      const done = await sql<{ subscription_id: string }>`
        WITH done AS (
          UPDATE webhook_deliveries
          SET status = 'delivered', lease_until = NULL, delivered_at = ${now}, last_status = ${r.status},
              last_latency_ms = ${r.latencyMs}, last_error = NULL
          WHERE id = ${id}
          RETURNING subscription_id
        ), revived AS (
          UPDATE webhook_subscriptions s SET state = 'active'
          FROM done WHERE s.id = done.subscription_id AND s.state = 'failing'
        )
        SELECT subscription_id FROM done`.execute(db);
      const subscriptionId = done.rows[0]?.subscription_id;
      if (!subscriptionId || !leaseUntil) return undefined;
      // The subscription's next delivery, claimed and loaded in the same commit: it never stands
      // unleased at the head, so no other worker can take it, and the lane goes on without a new
      // claim pass. No SKIP LOCKED here: skipping a locked head would take the one after it.
      const next = await sql<ClaimedRow>`
        WITH next AS (
          UPDATE webhook_deliveries d
          SET lease_until = ${leaseUntil}, attempts = d.attempts + 1, first_attempt_at = COALESCE(d.first_attempt_at, ${now})
          WHERE d.id = (
            SELECT x.id FROM webhook_deliveries x
            WHERE x.subscription_id = ${subscriptionId} AND x.status IN ('pending','failing')
            ORDER BY x.seq LIMIT 1
            FOR UPDATE
          )
            AND d.next_attempt_at <= ${now}
            AND (d.lease_until IS NULL OR d.lease_until <= ${now})
            AND EXISTS (SELECT 1 FROM webhook_subscriptions w WHERE w.id = d.subscription_id AND w.state <> 'disabled')
          RETURNING d.id, d.subscription_id, d.attempts, d.first_attempt_at, d.tenant_id, d.event_seq
        )
        SELECT e.*, next.id AS delivery_id, next.subscription_id, next.attempts, next.first_attempt_at,
          s.tenant_id AS subscription_tenant_id, s.url, s.secret_enc, s.previous_secret_enc, s.previous_valid_until
        FROM next
        JOIN webhook_subscriptions s ON s.id = next.subscription_id
        JOIN audit_events e ON e.tenant_id = next.tenant_id AND e.seq = next.event_seq`.execute(db);
      const row = next.rows[0];
      return row && toClaimed(row, now);
    },
    async markFailed(id, r, nextAttemptAt) {
      await mark(id)
        .set({
          status: 'failing',
          lease_until: null,
          next_attempt_at: nextAttemptAt,
          last_status: r.status,
          last_latency_ms: r.latencyMs,
          last_error: r.error?.slice(0, 500) ?? null,
        })
        .execute();
    },
    async markGivenUp(id, r) {
      const row = await mark(id)
        .set({
          status: 'given_up',
          lease_until: null,
          last_status: r.status,
          last_latency_ms: r.latencyMs,
          last_error: r.error?.slice(0, 500) ?? null,
        })
        .returning('subscription_id')
        .executeTakeFirst();
      // Removed with its subscription while in flight: nothing left to mark.
      if (!row) return { becameFailing: false, tenantId: '', url: '' };
      const before = await db
        .selectFrom('webhook_subscriptions')
        .select(['state', 'tenant_id', 'url'])
        .where('id', '=', row.subscription_id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (before.state === 'active') {
        await db
          .updateTable('webhook_subscriptions')
          .set({ state: 'failing' })
          .where('id', '=', row.subscription_id)
          .execute();
      }
      return { becameFailing: before.state === 'active', tenantId: before.tenant_id, url: before.url };
    },
  };
}
