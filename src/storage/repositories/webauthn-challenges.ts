import type { Kysely } from 'kysely';
import type { ChallengeRepo } from '../../domain/mfa.js';
import type { Database } from '../schema.js';

export function challengeRepo(db: Kysely<Database>): ChallengeRepo {
  return {
    async insert(c) {
      await db
        .insertInto('webauthn_challenges')
        .values({
          challenge_hash: c.challengeHash,
          purpose: c.purpose,
          tenant_id: c.tenantId,
          user_id: c.userId,
          created_at: c.createdAt,
          expires_at: c.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async consume(challengeHash, purpose, now) {
      // Single use in the WHERE clause: an assertion replayed with its challenge finds no row.
      const r = await db
        .updateTable('webauthn_challenges')
        .set({ used_at: now })
        .where('challenge_hash', '=', challengeHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['tenant_id', 'user_id'])
        .executeTakeFirst();
      return r && { tenantId: r.tenant_id, userId: r.user_id };
    },
  };
}
