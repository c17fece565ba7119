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
}

const num = (v: unknown): number => Number(v ?? 0);

/**
 * Three aggregate statements (sessions, outbox, import jobs) per scrape. A session counts while
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
    const oldest = outbox?.oldest ? new Date(outbox.oldest) : undefined;
    return {
      activeSessions: num(sessions?.n),
      outboxPending: num(outbox?.pending),
      outboxOldestPendingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
      outboxGivenUp: num(outbox?.given_up),
      importJobsRunning: num(imports?.n),
    };
  });
}
