import type { Kysely, Selectable } from 'kysely';
import type { ApiToken, ApiTokenRepo } from '../../domain/auth-ports.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { ApiTokensTable, Database } from '../schema.js';

const toToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id,
  userId: r.user_id,
  homeTenantId: r.home_tenant_id,
  actingTenantId: r.acting_tenant_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export function apiTokenRepo(db: Kysely<Database>): ApiTokenRepo {
  return {
    async insert(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          token_hash: t.tokenHash,
          user_id: t.userId,
          home_tenant_id: t.homeTenantId,
          acting_tenant_id: t.actingTenantId,
          name: t.name,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
    },
    async findLive(tokenHash, now) {
      const r = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return r && toToken(r);
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toToken);
    },
    async revoke(userId, id, now) {
      if (!UUID.test(id)) return false;
      const r = await db
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      return r !== undefined;
    },
    async markUsed(id, now) {
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };
}
