import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { storageCall } from './store.js';

export interface PurgeSettings {
  sessionIdleSeconds: number;
  throttleWindowSeconds: number;
}

export interface PurgeCounts {
  sessions: number;
  throttleCounters: number;
  oneTimeTokens: number;
  idempotencyKeys: number;
  apiTokens: number;
}

const ago = (now: Date, seconds: number) => new Date(now.getTime() - seconds * 1000);
const DAY = 86400;

/**
 * Removes sign-in state that can no longer matter: sessions past their absolute or idle end or
 * revoked, throttle windows that closed, used or expired one-time links, idempotency answers
 * older than their 24 h replay window, and API tokens expired or revoked for 30 days (kept
 * that long so their owners still see why a script stopped). Each delete is one statement,
 * safe to run on every instance at once. Faults are classified and retried like a unit of work.
 */
export function purgeExpired(db: Kysely<Database>, now: Date, s: PurgeSettings): Promise<PurgeCounts> {
  return storageCall(db, (h) => purgeOn(h, now, s));
}

async function purgeOn(db: Kysely<Database>, now: Date, s: PurgeSettings): Promise<PurgeCounts> {
  const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const sessions = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now),
        eb('last_seen_at', '<=', ago(now, s.sessionIdleSeconds)),
        eb('revoked_at', 'is not', null),
      ]),
    )
    .executeTakeFirst();
  const throttle = await db
    .deleteFrom('throttle_counters')
    .where('window_start', '<=', ago(now, s.throttleWindowSeconds))
    .executeTakeFirst();
  const links = await db
    .deleteFrom('one_time_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
    .executeTakeFirst();
  const idem = await db.deleteFrom('idempotency_keys').where('created_at', '<=', ago(now, DAY)).executeTakeFirst();
  const tokens = await db
    .deleteFrom('api_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', ago(now, 30 * DAY)), eb('revoked_at', '<=', ago(now, 30 * DAY))]))
    .executeTakeFirst();
  return {
    sessions: n(sessions),
    throttleCounters: n(throttle),
    oneTimeTokens: n(links),
    idempotencyKeys: n(idem),
    apiTokens: n(tokens),
  };
}
