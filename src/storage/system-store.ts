import { type Kysely, sql } from 'kysely';
import type { SystemRepos } from '../domain/system-ports.js';
import { housekeepingRepo, type PurgeSettings } from './housekeeping.js';
import { auditRepo } from './repositories/audit.js';
import { tenantRepo } from './repositories/tenants.js';
import type { Database } from './schema.js';
import { storageCall, unitOfWork } from './store.js';

/** The system tasks' repositories over one handle: a purge and its audit event commit together. */
export const systemStore = (db: Kysely<Database>, purge: PurgeSettings) =>
  unitOfWork(
    db,
    (h): SystemRepos => ({ tenants: tenantRepo(h), audit: auditRepo(h), housekeeping: housekeepingRepo(h, purge) }),
  );

/** Gauges read when metrics are scraped: counts and ages only, never a row's content. */
export interface OpsSample {
  activeSessions: number;
  outboxPending: number;
  /** Seconds since the oldest pending outbox row was queued; 0 when none is pending. */
  outboxOldestPendingSeconds: number;
  outboxGivenUp: number;
  importJobsRunning: number;
  /** Webhook deliveries not yet delivered (pending or retrying), over all subscriptions. */
  webhookPending: number;
  /** Seconds since the oldest undelivered webhook delivery was queued (the lag); 0 when none. */
  webhookOldestPendingSeconds: number;
  /** Subscriptions marked failing (a day of failed retries). */
  webhookSubscriptionsFailing: number;
}

const num = (v: unknown): number => Number(v ?? 0);

/**
 * Five aggregate statements (sessions, outbox, import jobs, webhook deliveries and subscriptions)
 * per scrape. A session counts while
 * it is neither revoked nor past its absolute or idle end, the rule sign-in applies.
 */
export function sampleOps(db: Kysely<Database>, now: Date, sessionIdleSeconds: number): Promise<OpsSample> {
  return storageCall(db, async (h) => {
    const idleSince = new Date(now.getTime() - sessionIdleSeconds * 1000);
    const sessions = await h
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', idleSince)
      .executeTakeFirst();
    const outbox = await h
      .selectFrom('outbox')
      .select([
        sql<string>`count(*) filter (where sent_at is null and given_up_at is null)`.as('pending'),
        sql<Date | null>`min(created_at) filter (where sent_at is null and given_up_at is null)`.as('oldest'),
        sql<string>`count(*) filter (where given_up_at is not null)`.as('given_up'),
      ])
      .executeTakeFirst();
    const imports = await h
      .selectFrom('import_jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'running')
      .executeTakeFirst();
    const hooks = await h
      .selectFrom('webhook_deliveries')
      .select([sql<string>`count(*)`.as('pending'), sql<Date | null>`min(created_at)`.as('oldest')])
      .where('status', 'in', ['pending', 'failing'])
      .executeTakeFirst();
    const failing = await h
      .selectFrom('webhook_subscriptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('state', '=', 'failing')
      .executeTakeFirst();
    const age = (d: Date | string | null | undefined) =>
      d ? Math.max(0, (now.getTime() - new Date(d).getTime()) / 1000) : 0;
    const oldest = outbox?.oldest ? new Date(outbox.oldest) : undefined;
    return {
      activeSessions: num(sessions?.n),
      outboxPending: num(outbox?.pending),
      outboxOldestPendingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
      outboxGivenUp: num(outbox?.given_up),
      importJobsRunning: num(imports?.n),
      webhookPending: num(hooks?.pending),
      webhookOldestPendingSeconds: age(hooks?.oldest),
      webhookSubscriptionsFailing: num(failing?.n),
    };
  });
}
