import { type Kysely, type Selectable, sql } from 'kysely';
import type { WebhookRepo, WebhookScope, WebhookState, WebhookSubscription } from '../../domain/webhooks.js';
import type { Database, WebhookSubscriptionsTable } from '../schema.js';
import { toEvent } from './audit-rows.js';
import { webhookDeliveryRepo } from './webhook-deliveries.js';

const toSubscription = (r: Selectable<WebhookSubscriptionsTable>): WebhookSubscription => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  scope: r.scope as WebhookScope,
  state: r.state as WebhookState,
  previousValidUntil: r.previous_valid_until,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function webhookRepo(db: Kysely<Database>): WebhookRepo {
  return {
    ...webhookDeliveryRepo(db),
    async insert(s) {
      const row = await db
        .insertInto('webhook_subscriptions')
        .values({
          id: s.id,
          tenant_id: s.tenantId,
          url: s.url,
          description: s.description,
          event_types: s.eventTypes,
          scope: s.scope,
          secret_enc: s.secretEnc,
          previous_secret_enc: null,
          previous_valid_until: null,
          state: 'active',
          created_at: s.now,
          updated_at: s.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSubscription(row);
    },
    async list(tenantId) {
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },
    async find(tenantId, id) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toSubscription(row);
    },
    async update(tenantId, id, p, now) {
      const row = await db
        .updateTable('webhook_subscriptions')
        .set((eb) => ({
          ...(p.url !== undefined ? { url: p.url } : {}),
          ...(p.description !== undefined ? { description: p.description } : {}),
          ...(p.eventTypes !== undefined ? { event_types: p.eventTypes } : {}),
          ...(p.scope !== undefined ? { scope: p.scope } : {}),
          ...(p.state !== undefined ? { state: p.state } : {}),
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toSubscription(row);
    },
    async delete(tenantId, id) {
      const r = await db
        .deleteFrom('webhook_subscriptions')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
    async rotate(tenantId, id, secretEnc, previousValidUntil, now) {
      const row = await db
        .updateTable('webhook_subscriptions')
        .set((eb) => ({
          previous_secret_enc: eb.ref('secret_enc'),
          previous_valid_until: previousValidUntil,
          secret_enc: secretEnc,
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toSubscription(row);
    },
    async managerEmails(tenantId) {
      const rows = await db
        .selectFrom('users as u')
        .innerJoin('user_roles as ur', (j) => j.onRef('ur.user_id', '=', 'u.id').on('ur.tenant_id', '=', tenantId))
        .innerJoin('roles as r', 'r.key', 'ur.role_key')
        .select('u.email')
        .distinct()
        .where('u.tenant_id', '=', tenantId)
        .where('u.state', '=', 'active')
        .where('u.email', 'is not', null)
        .where(sql<boolean>`${'webhooks.manage'} = ANY (r.permissions)`)
        .execute();
      return rows.flatMap((r) => (r.email ? [r.email] : []));
    },
    async eventsAfter(tenantId, afterSeq, limit) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '>', String(afterSeq))
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
