import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OutboxRepo } from '../../domain/ports.js';
import type { Database } from '../schema.js';

export function outboxRepo(db: Kysely<Database>): OutboxRepo {
  return {
    async enqueue(topic, payload, now) {
      await db
        .insertInto('outbox')
        .values({
          id: randomUUID(),
          topic,
          payload: JSON.stringify(payload),
          created_at: now,
          next_attempt_at: now,
          attempts: 0,
          last_error: null,
          sent_at: null,
          given_up_at: null,
        })
        .execute();
    },
    async claim(topic, now, limit, leaseUntil) {
      // SKIP LOCKED: a row another instance is claiming right now is passed over, not waited for;
      // the lease (next_attempt_at in the future) keeps it from everyone else after that commit.
      const due = db
        .selectFrom('outbox')
        .select('id')
        .where('topic', '=', topic)
        .where('sent_at', 'is', null)
        .where('given_up_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      const rows = await db
        .updateTable('outbox')
        .set((eb) => ({ next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due)
        .returning(['id', 'topic', 'payload', 'attempts'])
        .execute();
      return rows.map((r) => ({ id: r.id, topic: r.topic, payload: r.payload, attempts: r.attempts }));
    },
    async markSent(id, now) {
      await db.updateTable('outbox').set({ sent_at: now, last_error: null }).where('id', '=', id).execute();
    },
    async markFailed(id, error, nextAttemptAt) {
      await db
        .updateTable('outbox')
        .set({ next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500) })
        .where('id', '=', id)
        .execute();
    },
    async markGivenUp(id, error, now) {
      await db
        .updateTable('outbox')
        .set({ given_up_at: now, last_error: error.slice(0, 500) })
        .where('id', '=', id)
        .execute();
    },
  };
}
