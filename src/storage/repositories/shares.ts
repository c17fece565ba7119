import type { Kysely, Selectable } from 'kysely';
import type { ShareRepo } from '../../domain/ports.js';
import type { Share, ShareStatus } from '../../domain/share.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database, SharesTable } from '../schema.js';

const toShare = (r: Selectable<SharesTable>): Share => ({
  id: r.id,
  userId: r.user_id,
  homeTenantId: r.home_tenant_id,
  targetTenantId: r.target_tenant_id,
  status: r.status as ShareStatus,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
  acceptedBy: r.accepted_by,
  endedBy: r.ended_by,
  createdAt: r.created_at,
  acceptedAt: r.accepted_at,
  endedAt: r.ended_at,
});

export function shareRepo(db: Kysely<Database>): ShareRepo {
  return {
    async insert(s) {
      await db
        .insertInto('shares')
        .values({
          id: s.id,
          user_id: s.userId,
          home_tenant_id: s.homeTenantId,
          target_tenant_id: s.targetTenantId,
          status: s.status,
          expires_at: s.expiresAt,
          created_by: s.createdBy,
          accepted_by: s.acceptedBy,
          ended_by: s.endedBy,
          created_at: s.createdAt,
          accepted_at: s.acceptedAt,
          ended_at: s.endedAt,
        })
        .execute();
    },
    async findForTenant(tenantId, id) {
      if (!UUID.test(id)) return undefined;
      const r = await db
        .selectFrom('shares')
        .selectAll()
        .where('id', '=', id)
        .where((eb) => eb.or([eb('home_tenant_id', '=', tenantId), eb('target_tenant_id', '=', tenantId)]))
        .executeTakeFirst();
      return r && toShare(r);
    },
    async findOpen(userId, targetTenantId) {
      const r = await db
        .selectFrom('shares')
        .selectAll()
        .where('user_id', '=', userId)
        .where('target_tenant_id', '=', targetTenantId)
        .where('status', '<>', 'ended')
        .executeTakeFirst();
      return r && toShare(r);
    },
    async accept(id, acceptedBy, now) {
      // Single use: only the offered row flips, so two accepting admins cannot both win.
      const r = await db
        .updateTable('shares')
        .set({ status: 'active', accepted_by: acceptedBy, accepted_at: now })
        .where('id', '=', id)
        .where('status', '=', 'offered')
        .returningAll()
        .executeTakeFirst();
      return r && toShare(r);
    },
    async end(id, endedBy, now) {
      const r = await db
        .updateTable('shares')
        .set({ status: 'ended', ended_by: endedBy, ended_at: now })
        .where('id', '=', id)
        .where('status', '<>', 'ended')
        .returningAll()
        .executeTakeFirst();
      return r && toShare(r);
    },
    async listForTenant(tenantId) {
      const rows = await db
        .selectFrom('shares')
        .selectAll()
        .where((eb) => eb.or([eb('home_tenant_id', '=', tenantId), eb('target_tenant_id', '=', tenantId)]))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toShare);
    },
    async effectiveForUser(userId, now) {
      const rows = await db
        .selectFrom('shares')
        .selectAll()
        .where('user_id', '=', userId)
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .execute();
      return rows.map(toShare);
    },
    async endAllForUser(userId, endedBy, now) {
      const r = await db
        .updateTable('shares')
        .set({ status: 'ended', ended_by: endedBy, ended_at: now })
        .where('user_id', '=', userId)
        .where('status', '<>', 'ended')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async endAllForTenant(tenantId, endedBy, now) {
      const r = await db
        .updateTable('shares')
        .set({ status: 'ended', ended_by: endedBy, ended_at: now })
        .where((eb) => eb.or([eb('home_tenant_id', '=', tenantId), eb('target_tenant_id', '=', tenantId)]))
        .where('status', '<>', 'ended')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
