import type { Kysely } from 'kysely';
import type { OneTimePurpose, OneTimeToken, OneTimeTokenRepo } from '../../domain/auth-ports.js';
import type { Database } from '../schema.js';

const toToken = (r: { purpose: string; user_id: string; tenant_id: string; expires_at: Date }): OneTimeToken => ({
  purpose: r.purpose as OneTimePurpose,
  userId: r.user_id,
  tenantId: r.tenant_id,
  expiresAt: r.expires_at,
});

export function oneTimeTokenRepo(db: Kysely<Database>): OneTimeTokenRepo {
  return {
    async insert(t) {
      await db
        .insertInto('one_time_tokens')
        .values({
          token_hash: t.tokenHash,
          purpose: t.purpose,
          user_id: t.userId,
          tenant_id: t.tenantId,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async peek(tokenHash, purpose, now) {
      const r = await db
        .selectFrom('one_time_tokens')
        .select(['purpose', 'user_id', 'tenant_id', 'expires_at'])
        .where('token_hash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return r && toToken(r);
    },
    async consume(tokenHash, purpose, now) {
      // The WHERE clause is the whole single-use guarantee: a second redemption updates no row.
      const r = await db
        .updateTable('one_time_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['purpose', 'user_id', 'tenant_id', 'expires_at'])
        .executeTakeFirst();
      return r && toToken(r);
    },
    async voidForUser(userId, purpose, now) {
      await db
        .updateTable('one_time_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute();
    },
  };
}
