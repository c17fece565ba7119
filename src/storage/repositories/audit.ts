import type { Kysely, Selectable } from 'kysely';
import { type AuditEvent, chainMaterial, GENESIS_HASH } from '../../domain/audit.js';
import type { AuditRepo } from '../../domain/ports.js';
import type { AuditEventsTable, Database } from '../schema.js';
import { sha256 } from '../sha256.js';
import { toEvent } from './audit-rows.js';
import { enqueueDeliveries } from './webhook-deliveries.js';

export function auditRepo(db: Kysely<Database>): AuditRepo {
  return {
    async append(input, at) {
      // The head row is the per-tenant lock: appenders of one tenant queue on it, so seq and
      // prev_hash always form one unbroken chain, even across instances.
      await db
        .insertInto('audit_heads')
        .values({ tenant_id: input.tenantId, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      const head = await db
        .selectFrom('audit_heads')
        .select(['seq', 'hash'])
        .where('tenant_id', '=', input.tenantId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      // Microsecond precision is what PostgreSQL stores; hash what will be read back.
      const event: Omit<AuditEvent, 'hash'> = {
        ...input,
        at: new Date(Math.floor(at.getTime())),
        seq: Number(head.seq) + 1,
        prevHash: head.hash,
        details: JSON.parse(JSON.stringify(input.details)),
      };
      const hash = sha256(chainMaterial(event));
      await db
        .insertInto('audit_events')
        .values({
          tenant_id: event.tenantId,
          seq: event.seq,
          at: event.at,
          actor_user_id: event.actorUserId,
          actor_tenant_id: event.actorTenantId,
          action: event.action,
          target_type: event.targetType,
          target_id: event.targetId,
          details: JSON.stringify(event.details),
          ip: event.ip,
          request_id: event.requestId,
          prev_hash: event.prevHash,
          hash,
        })
        .execute();
      await db
        .updateTable('audit_heads')
        .set({ seq: event.seq, hash })
        .where('tenant_id', '=', input.tenantId)
        .execute();
      // The webhook outbox (issue 17): queued in the change's own transaction, so a committed
      // change always yields its deliveries and an aborted one none.
      await enqueueDeliveries(db, { ...event, hash }, at);
      return { ...event, hash };
    },
    async list(tenantId, f) {
      let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (f.actorUserId) q = q.where('actor_user_id', '=', f.actorUserId);
      if (f.action) q = q.where('action', '=', f.action);
      if (f.targetId) q = q.where('target_id', '=', f.targetId);
      if (f.from) q = q.where('at', '>=', f.from);
      if (f.to) q = q.where('at', '<', f.to);
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', String(f.beforeSeq));
      const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
      return rows.map(toEvent);
    },
    async chain(tenantId) {
      const rows = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('seq')
        .execute();
      const head = await db
        .selectFrom('audit_heads')
        .select(['seq', 'hash'])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return { events: rows.map(toEvent), head: head && { seq: Number(head.seq), hash: head.hash } };
    },
  };
}
