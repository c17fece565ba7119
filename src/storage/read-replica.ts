import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { isAppError } from '../domain/errors.js';
import type { Store } from '../domain/ports.js';
import { answersWithin, type DbOptions, poolConfig } from './db.js';
import { droppingPool } from './fault-aware-driver.js';
import type { Database } from './schema.js';
import { kyselyStore, setRetryBudget } from './store.js';

export interface ReadReplica {
  /** Reads from the replica, falling back to `primary` when it cannot answer; writes go to `primary`. */
  store: Store;
  /** Units of work the replica answered, and those it passed to the primary (for tests and metrics). */
  stats(): { replica: number; fallback: number };
  /** True when the replica answers `SELECT 1` within `timeoutMs` (the status endpoint). */
  probe(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * DATABASE_READ_URL: a replica for reads where a little staleness is safe (lists, the activity
 * log, exports). A replica that is away or refuses (recovery conflicts, a restart) costs one
 * failed attempt, never an error: the read goes to the primary. Nothing that decides access —
 * sign-in, sessions, decisions — and no write ever uses it; the HTTP layer also keeps a session
 * on the primary for a while after its own writes (read-your-writes).
 */
export function openReadReplica(opts: DbOptions & { databaseUrl: string }, primary: Store): ReadReplica {
  const pool = new pg.Pool(poolConfig(opts));
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: droppingPool(pool) }) });
  // No retries on the replica: the primary is the retry.
  setRetryBudget(kysely, { attempts: 1, budgetMs: 0, baseDelayMs: 0, maxDelayMs: 0 });
  const replica = kyselyStore(kysely);
  const counts = { replica: 0, fallback: 0 };
  const unavailable = (e: unknown) => isAppError(e) && e.code === 'storage.unavailable';
  return {
    store: {
      transaction: (fn) => primary.transaction(fn),
      async read(fn) {
        try {
          const out = await replica.read(fn);
          counts.replica++;
          return out;
        } catch (e) {
          if (!unavailable(e) && !isConnectionFailure(e)) throw e;
          counts.fallback++;
          return primary.read(fn);
        }
      },
    },
    stats: () => ({ ...counts }),
    probe: (timeoutMs = 1000) => answersWithin(kysely, timeoutMs),
    close: () => kysely.destroy(),
  };
}

// A refused or timed-out connection may surface before the storage layer classifies it.
const isConnectionFailure = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|57P0[1-3]|08...)$/.test(code);
};
