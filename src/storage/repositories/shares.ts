import { type Kysely, type Selectable, sql } from 'kysely';
import type { ShareRepo } from '../../domain/ports.js';
import type { Share, ShareStatus } from '../../domain/share.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database, SharesTable } from '../schema.js';
import { endOidcGrants } from './oidc-payloads.js';

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
  acceptedRoles: r.accepted_roles ? [...r.accepted_roles] : null,
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
          accepted_roles: s.acceptedRoles === null ? null : JSON.stringify(s.acceptedRoles),
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
    async accept(id, acceptedBy, now, acceptedRoles) {
      // Single use: only the offered row flips, so two accepting admins cannot both win.
      const r = await db
        .updateTable('shares')
        .set({
          status: 'active',
          accepted_by: acceptedBy,
          accepted_at: now,
          accepted_roles: JSON.stringify(acceptedRoles),
        })
        .where('id', '=', id)
        .where('status', '=', 'offered')
        .returningAll()
        .executeTakeFirst();
      return r && toShare(r);
    },
    async reaccept(id, acceptedBy, now, acceptedRoles) {
      const r = await db
        .updateTable('shares')
        .set({ accepted_by: acceptedBy, accepted_at: now, accepted_roles: JSON.stringify(acceptedRoles) })
        .where('id', '=', id)
        .where('status', '=', 'active')
        // Only a real change of consent: racing re-accepts of the same roles write one event.
        .where(sql<boolean>`accepted_roles IS DISTINCT FROM ${JSON.stringify(acceptedRoles)}::jsonb`)
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
      // The apps' grants for that tenant end with the share (and their sessions hear of it).
      if (r) await endOidcGrants(db, { accountId: r.user_id, tenantId: r.target_tenant_id }, now);
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
        .returning(['user_id', 'target_tenant_id'])
        .execute();
      for (const e of r) await endOidcGrants(db, { accountId: e.user_id, tenantId: e.target_tenant_id }, now);
      return r.length;
    },
    async endAllForTenant(tenantId, endedBy, now) {
      const r = await db
        .updateTable('shares')
        .set({ status: 'ended', ended_by: endedBy, ended_at: now })
        .where((eb) => eb.or([eb('home_tenant_id', '=', tenantId), eb('target_tenant_id', '=', tenantId)]))
        .where('status', '<>', 'ended')
        .returning(['user_id', 'target_tenant_id'])
        .execute();
      for (const e of r) await endOidcGrants(db, { accountId: e.user_id, tenantId: e.target_tenant_id }, now);
      return r.length;
    },
  };
}
