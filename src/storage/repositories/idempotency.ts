import type { Kysely } from 'kysely';
import type { IdempotencyRepo } from '../../domain/auth-ports.js';
import type { Database } from '../schema.js';

export function idempotencyRepo(db: Kysely<Database>): IdempotencyRepo {
  return {
    async reserve(scope, key, fingerprint, now, abandonedBefore) {
      // Insert-or-nothing is the lock: of two racing requests exactly one gets the row.
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ scope, key, fingerprint, status: null, content_type: null, body: null, created_at: now })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) return { reserved: true };
      const r = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!r) return this.reserve(scope, key, fingerprint, now, abandonedBefore); // released meanwhile: try again
      // Its owner died without answering (SIGKILL, lost host) and without committed work: take it
      // over, the conditional update is the lock. Committed work is replayed from its journal
      // instead, however late the retry comes (a takeover would run it a second time).
      if (
        r.status === null &&
        !r.applied_results &&
        abandonedBefore &&
        r.created_at < abandonedBefore &&
        r.fingerprint === fingerprint
      ) {
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ created_at: now })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .where('status', 'is', null)
          .where('created_at', '<', abandonedBefore)
          .where('applied_results', 'is', null)
          .returning('key')
          .executeTakeFirst();
        if (taken) return { reserved: true };
      }
      const response =
        r.status === null
          ? null
          : { status: r.status, contentType: r.content_type ?? 'application/json', body: r.body ?? '' };
      return {
        reserved: false,
        fingerprint: r.fingerprint,
        response,
        ...(r.applied_results ? { applied: r.applied_results } : {}),
      };
    },
    async complete(scope, key, response) {
      await db
        .updateTable('idempotency_keys')
        .set({ status: response.status, content_type: response.contentType, body: response.body })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },
    async release(scope, key) {
      await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
    },
    async purge(before) {
      const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

/** Journals a request's committed results on its key, inside the transaction that did the work. */
export async function journalWork(
  trx: Kysely<Database>,
  scope: string,
  key: string,
  results: unknown[],
): Promise<void> {
  await trx
    .updateTable('idempotency_keys')
    .set({ applied_results: JSON.stringify(results) as unknown as unknown[] })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}
