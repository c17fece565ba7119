import type { Kysely, Selectable } from 'kysely';
import type { Session, SessionRepo } from '../../domain/auth-ports.js';
import type { Database, SessionsTable } from '../schema.js';

const toSession = (r: Selectable<SessionsTable>): Session => ({
  idHash: r.id_hash,
  userId: r.user_id,
  homeTenantId: r.home_tenant_id,
  actingTenantId: r.acting_tenant_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  amr: Array.isArray(r.amr) ? r.amr : ['pwd'],
  authTime: r.auth_time ?? r.created_at,
});

export function sessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async insert(s) {
      await db
        .insertInto('sessions')
        .values({
          id_hash: s.idHash,
          user_id: s.userId,
          home_tenant_id: s.homeTenantId,
          acting_tenant_id: s.actingTenantId,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
          revoked_at: null,
          amr: JSON.stringify(s.amr),
          auth_time: s.authTime,
        })
        .execute();
    },
    async findLive(idHash, now, idleSince) {
      const r = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .where('last_seen_at', '>', idleSince)
        .executeTakeFirst();
      return r && toSession(r);
    },
    async touch(idHash, now, staleBefore) {
      // Only a stale timestamp is written: most requests of a busy session cost no write.
      await db
        .updateTable('sessions')
        .set({ last_seen_at: now })
        .where('id_hash', '=', idHash)
        .where('last_seen_at', '<', staleBefore)
        .execute();
    },
    async setActingTenant(idHash, tenantId) {
      await db.updateTable('sessions').set({ acting_tenant_id: tenantId }).where('id_hash', '=', idHash).execute();
    },
    async revoke(idHash, now) {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllForUser(userId, now, keepIdHash) {
      let q = db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (keepIdHash) q = q.where('id_hash', '<>', keepIdHash);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
