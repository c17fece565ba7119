import { type Kysely, sql } from 'kysely';
import type { InstanceRegistry, PurgeCounts, StatusCounts } from '../domain/system-ports.js';
import type { Database } from './schema.js';
import { storageCall } from './store.js';

/** The heartbeats in `instances` (021). */
export const instanceRegistry = (db: Kysely<Database>): InstanceRegistry => ({
  beat: (b, now) =>
    storageCall(db, async (h) => {
      await h
        .insertInto('instances')
        .values({ id: b.id, started_at: b.startedAt, last_seen_at: now, version: b.version, readiness: b.readiness })
        .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen_at: now, readiness: b.readiness }))
        .execute();
    }),
  remove: (id) =>
    storageCall(db, async (h) => {
      await h.deleteFrom('instances').where('id', '=', id).execute();
    }),
});

const num = (v: unknown): number => Number(v ?? 0);
const date = (v: unknown): Date | null => (v ? new Date(v as string) : null);

/**
 * The database's side of the system status: aggregates, states and times, never a row's
 * content (R7). Eight small statements; the status is read on demand, not scraped.
 */
export function readStatusCounts(db: Kysely<Database>, migrationTable: string): Promise<StatusCounts> {
  return storageCall(db, async (h) => {
    const instances = await h.selectFrom('instances').selectAll().orderBy('started_at').execute();
    const applied = await sql<{ name: string }>`SELECT name FROM ${sql.table(migrationTable)} ORDER BY name`.execute(h);
    const outbox = await h
      .selectFrom('outbox')
      .select([
        'topic',
        sql<string>`count(*) filter (where sent_at is null and given_up_at is null)`.as('pending'),
        sql<string>`count(*) filter (where given_up_at is not null)`.as('given_up'),
        sql<Date | null>`min(created_at) filter (where sent_at is null and given_up_at is null)`.as('oldest'),
      ])
      .groupBy('topic')
      .orderBy('topic')
      .execute();
    const imports = await h
      .selectFrom('import_jobs')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .orderBy('status')
      .execute();
    const purge = await h.selectFrom('system_jobs').selectAll().where('name', '=', 'purge').executeTakeFirst();
    // Retired keys stop mattering once no longer published; the kid is left out on purpose.
    const keys = await h
      .selectFrom('oidc_keys')
      .select(['alg', 'created_at', 'retired_at', 'publish_until'])
      .orderBy('created_at')
      .execute();
    const apps = await h
      .selectFrom('oidc_apps')
      .select([(eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.min('updated_at').as('oldest')])
      .where('secret_hash', 'is not', null)
      .executeTakeFirst();
    const sso = await h
      .selectFrom('sso_connections')
      .select([(eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.min('updated_at').as('oldest')])
      .where('client_secret_enc', 'is not', null)
      .executeTakeFirst();
    return {
      instances: instances.map((r) => ({
        id: r.id,
        startedAt: new Date(r.started_at),
        lastSeenAt: new Date(r.last_seen_at),
        version: r.version,
        readiness: r.readiness === 'ready' ? 'ready' : 'not_ready',
      })),
      appliedMigrations: applied.rows.map((r) => r.name),
      outbox: outbox.map((r) => ({
        topic: r.topic,
        pending: num(r.pending),
        givenUp: num(r.given_up),
        oldestPendingAt: date(r.oldest),
      })),
      imports: imports.map((r) => ({ status: r.status, jobs: num(r.n) })),
      lastPurge: purge ? { at: new Date(purge.last_run_at), counts: purge.result as PurgeCounts } : null,
      signingKeys: keys.map((k) => ({
        alg: k.alg,
        createdAt: new Date(k.created_at),
        retiredAt: date(k.retired_at),
        publishUntil: date(k.publish_until),
      })),
      appSecrets: { count: num(apps?.n), oldestChangedAt: date(apps?.oldest) },
      ssoSecrets: { count: num(sso?.n), oldestChangedAt: date(sso?.oldest) },
    };
  });
}
