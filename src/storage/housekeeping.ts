import type { Kysely } from 'kysely';
import type { HousekeepingRepo } from '../domain/system-ports.js';
import type { Database } from './schema.js';
import { storageCall } from './store.js';

export interface PurgeSettings {
  sessionIdleSeconds: number;
  throttleWindowSeconds: number;
}

export interface PurgeCounts extends Record<string, number> {
  sessions: number;
  throttleCounters: number;
  oneTimeTokens: number;
  idempotencyKeys: number;
  apiTokens: number;
  outbox: number;
  oidcRecords: number;
  instances: number;
  webhookDeliveries: number;
}

const ago = (now: Date, seconds: number) => new Date(now.getTime() - seconds * 1000);
const DAY = 86400;

/**
 * Removes sign-in state that can no longer matter: sessions past their absolute or idle end or
 * revoked, throttle windows that closed (a temporary lock's level a day after it began), used or
 * expired one-time links, idempotency answers older than their 24 h replay window, and API
 * tokens expired or revoked for 30 days (kept that long so their owners still see why a script
 * stopped), outbox rows a week after they were sent and a month after they were given up, webhook
 * deliveries done (delivered or given up) a month after they were queued, the OpenID Provider's
 * records (codes, sessions, refresh tokens, …) once expired, and heartbeats of instances silent
 * for a day. Each delete is one statement, safe to run on every instance at once; the run is
 * recorded in `system_jobs`. Faults are
 * classified and retried like a unit of work.
 */
export function purgeExpired(db: Kysely<Database>, now: Date, s: PurgeSettings): Promise<PurgeCounts> {
  return storageCall(db, (h) => purgeOn(h, now, s));
}

/** The purge as a repository on `db` (a transaction's handle for the system task). */
export const housekeepingRepo = (db: Kysely<Database>, s: PurgeSettings): HousekeepingRepo => ({
  purgeExpired: (now) => purgeOn(db, now, s),
});

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
  // A temporary lock's level (`lock:<userId>`, src/app/auth/login.ts) must outlive the failure
  // window: it decays after a day without a lock. Purged with the window, the doubling fell back
  // to 1 minute every quarter of an hour, and a 15-minute lock could be cut short.
  const throttle = await db
    .deleteFrom('throttle_counters')
    .where((eb) =>
      eb.or([
        eb.and([eb('key', 'not like', 'lock:%'), eb('window_start', '<=', ago(now, s.throttleWindowSeconds))]),
        eb.and([eb('key', 'like', 'lock:%'), eb('window_start', '<=', ago(now, DAY))]),
      ]),
    )
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
  const outbox = await db
    .deleteFrom('outbox')
    .where((eb) => eb.or([eb('sent_at', '<=', ago(now, 7 * DAY)), eb('given_up_at', '<=', ago(now, 30 * DAY))]))
    .executeTakeFirst();
  const oidc = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', now).executeTakeFirst();
  // A server that died without its clean stop left its heartbeat; a day later it is history.
  const instances = await db.deleteFrom('instances').where('last_seen_at', '<=', ago(now, DAY)).executeTakeFirst();
  // The delivery log keeps a month: long enough to see what a receiver missed and redeliver it.
  const hooks = await db
    .deleteFrom('webhook_deliveries')
    .where('status', 'in', ['delivered', 'given_up'])
    .where('created_at', '<=', ago(now, 30 * DAY))
    .executeTakeFirst();
  const counts: PurgeCounts = {
    instances: n(instances),
    webhookDeliveries: n(hooks),
    oidcRecords: n(oidc),
    outbox: n(outbox),
    sessions: n(sessions),
    throttleCounters: n(throttle),
    oneTimeTokens: n(links),
    idempotencyKeys: n(idem),
    apiTokens: n(tokens),
  };
  // The status endpoint's "last purge", whichever instance ran it; the last writer wins.
  const result = JSON.stringify(counts);
  await db
    .insertInto('system_jobs')
    .values({ name: 'purge', last_run_at: now, result })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_run_at: now, result }))
    .execute();
  return counts;
}
