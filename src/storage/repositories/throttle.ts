import { type Kysely, sql } from 'kysely';
import type { ThrottleRepo } from '../../domain/auth-ports.js';
import type { Database } from '../schema.js';

/**
 * Fixed-window failure counters. `hit` is a single upsert, so concurrent failures on several
 * instances are all counted; a window older than `windowSeconds` restarts at one.
 */
export function throttleRepo(db: Kysely<Database>): ThrottleRepo {
  const windowStart = (now: Date, windowSeconds: number) => new Date(now.getTime() - windowSeconds * 1000);
  return {
    async hit(key, now, windowSeconds) {
      const stale = windowStart(now, windowSeconds);
      const r = await db
        .insertInto('throttle_counters')
        .values({ key, failures: 1, window_start: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql`CASE WHEN throttle_counters.window_start <= ${stale} THEN 1 ELSE throttle_counters.failures + 1 END`,
            window_start: sql`CASE WHEN throttle_counters.window_start <= ${stale} THEN ${now} ELSE throttle_counters.window_start END`,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return r.failures;
    },
    async count(key, now, windowSeconds) {
      const r = await db
        .selectFrom('throttle_counters')
        .select('failures')
        .where('key', '=', key)
        .where('window_start', '>', windowStart(now, windowSeconds))
        .executeTakeFirst();
      return r?.failures ?? 0;
    },
    async take(key, now, windowSeconds, limit) {
      const stale = windowStart(now, windowSeconds);
      const r = await db
        .insertInto('throttle_counters')
        .values({ key, failures: 1, window_start: now })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({
              failures: sql`CASE WHEN throttle_counters.window_start <= ${stale} THEN 1 ELSE throttle_counters.failures + 1 END`,
              window_start: sql`CASE WHEN throttle_counters.window_start <= ${stale} THEN ${now} ELSE throttle_counters.window_start END`,
            })
            // At the limit the row is left alone and nothing is returned.
            .where(sql<boolean>`throttle_counters.window_start <= ${stale} OR throttle_counters.failures < ${limit}`),
        )
        .returning('failures')
        .executeTakeFirst();
      return r?.failures;
    },
    async giveBack(key) {
      await db
        .updateTable('throttle_counters')
        .set({ failures: sql`failures - 1` })
        .where('key', '=', key)
        .where('failures', '>', 0)
        .execute();
    },
    async peek(key) {
      const r = await db
        .selectFrom('throttle_counters')
        .select(['failures', 'window_start'])
        .where('key', '=', key)
        .executeTakeFirst();
      return r ? { failures: r.failures, windowStart: new Date(r.window_start) } : undefined;
    },
    async escalate(key, now, decaySeconds) {
      const stale = windowStart(now, decaySeconds);
      const r = await db
        .insertInto('throttle_counters')
        .values({ key, failures: 1, window_start: now })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql`CASE WHEN throttle_counters.window_start <= ${stale} THEN 1 ELSE throttle_counters.failures + 1 END`,
            window_start: now,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return r.failures;
    },
    async reset(key) {
      await db.deleteFrom('throttle_counters').where('key', '=', key).execute();
    },
  };
}
