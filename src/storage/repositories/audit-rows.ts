import type { Selectable } from 'kysely';
import type { AuditEvent } from '../../domain/audit.js';
import type { AuditEventsTable } from '../schema.js';

/** An audit row as the domain's event (shared by the audit log and the webhook outbox). */
export const toEvent = (r: Selectable<AuditEventsTable>): AuditEvent => ({
  tenantId: r.tenant_id,
  seq: Number(r.seq),
  at: r.at,
  actorUserId: r.actor_user_id,
  actorTenantId: r.actor_tenant_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  details: r.details,
  ip: r.ip,
  requestId: r.request_id,
  prevHash: r.prev_hash,
  hash: r.hash,
});
