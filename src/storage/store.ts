import type { Kysely } from 'kysely';
import { type Metrics, NO_METRICS } from '../domain/metrics.js';
import type { Repos, Store, UnitOfWork } from '../domain/ports.js';
import type { Tracing } from '../domain/tracing.js';
import { auditRepo } from './repositories/audit.js';
import { companyRepo, fieldRepo } from './repositories/companies.js';
import { appRepo } from './repositories/oidc-apps.js';
import { oidcKeyRepo } from './repositories/oidc-keys.js';
import { oidcPayloadRepo } from './repositories/oidc-payloads.js';
import { outboxRepo } from './repositories/outbox.js';
import { roleRepo } from './repositories/roles.js';
import { securityPolicyRepo } from './repositories/security-policies.js';
import { shareRepo } from './repositories/shares.js';
import { tenantRepo } from './repositories/tenants.js';
import { userRepo } from './repositories/users.js';
import { webhookRepo } from './repositories/webhooks.js';
import { DEFAULT_RETRY_BUDGET, type RetryBudget, type RetryClock, realRetryClock, withRetry } from './retry.js';
import type { Database } from './schema.js';
import { CommitOutcomeUnknown, classifyFault, mapSqlError } from './sql-errors.js';
import { WriteTracker } from './write-tracker.js';

export function reposFor(db: Kysely<Database>): Repos {
  return {
    tenants: tenantRepo(db),
    users: userRepo(db),
    roles: roleRepo(db),
    shares: shareRepo(db),
    companies: companyRepo(db),
    fields: fieldRepo(db),
    audit: auditRepo(db),
    outbox: outboxRepo(db),
    apps: appRepo(db),
    oidc: oidcPayloadRepo(db),
    oidcKeys: oidcKeyRepo(db),
    webhooks: webhookRepo(db),
    policies: securityPolicyRepo(db),
  };
}

// The budget belongs to the database handle (set where it is opened, from Config), so every
// store built on it, in the server and in the CLI alike, retries the same way.
const budgets = new WeakMap<Kysely<Database>, RetryBudget>();

/** Sets the retry budget of every unit of work on `db` (see docs/operations.md). */
export function setRetryBudget(db: Kysely<Database>, budget: RetryBudget): void {
  budgets.set(db, Object.freeze({ ...budget }));
}

export const retryBudgetOf = (db: Kysely<Database>): RetryBudget => budgets.get(db) ?? DEFAULT_RETRY_BUDGET;

const meters = new WeakMap<Kysely<Database>, Metrics>();

/** Counts the retries and transient faults of every unit of work on `db` (issue 19). */
export function setStorageMetrics(db: Kysely<Database>, metrics: Metrics): void {
  meters.set(db, metrics);
}

const tracers = new WeakMap<Kysely<Database>, Tracing>();

/**
 * Traces every unit of work and SQL statement on `db` (issue 19 #2) as children of the current
 * span; unset (tracing off), neither costs more than this map's lookup.
 */
export function setStorageTracing(db: Kysely<Database>, tracing: Tracing): void {
  tracers.set(db, tracing);
}

export const tracingOf = (db: Kysely<Database>): Tracing | undefined => tracers.get(db);

/** Runs a unit of work inside its span when tracing is on. */
function traced<T>(db: Kysely<Database>, name: string, fn: () => Promise<T>): Promise<T> {
  const tracing = tracers.get(db);
  return tracing ? tracing.span(name, {}, fn) : fn();
}

/**
 * Counts the transient faults of every attempt (including the last, which is not retried) and
 * every retry started, by class.
 */
function counting(db: Kysely<Database>) {
  const metrics = meters.get(db) ?? NO_METRICS;
  return {
    async attempt<T>(run: () => Promise<T>): Promise<T> {
      try {
        return await run();
      } catch (e) {
        const fault = classifyFault(e);
        if (fault) metrics.storageFault(fault.kind, e instanceof CommitOutcomeUnknown ? 'commit' : fault.stage);
        throw e;
      }
    },
    onRetry(e: unknown): void {
      const fault = classifyFault(e);
      if (fault) metrics.storageRetry(fault.kind);
    },
  };
}

/**
 * Journals the work of a request that carries an Idempotency-Key (wired by the HTTP layer): each
 * transaction's result is written inside that transaction, and a retry whose first answer was
 * lost gets the journaled results back instead of running the transactions again.
 */
export interface WorkJournal {
  /** The next journaled result when this request replays lost work; undefined otherwise. */
  replay(): { value: unknown } | undefined;
  /** Inside the transaction, after its callback: journal the result in the same commit. */
  record(trx: Kysely<Database>, result: unknown): Promise<void>;
}

const journals = new WeakMap<Kysely<Database>, WorkJournal>();

export function setWorkJournal(db: Kysely<Database>, journal: WorkJournal): void {
  journals.set(db, journal);
}

/**
 * A transaction is run again after any transient fault except one during COMMIT: before COMMIT
 * was sent, the server rolls back what a broken or refused transaction did.
 */
export const mayRetryTransaction = (e: unknown): boolean =>
  !(e instanceof CommitOutcomeUnknown) && classifyFault(e) !== undefined;

/**
 * An autocommit unit is run again only if that cannot repeat or double a write: no write of it
 * completed, and a write that failed is known not to have run (not sent, or refused).
 */
export function mayRetryRead(e: unknown, writes: { started: number; completed: number }): boolean {
  const fault = classifyFault(e);
  if (!fault || writes.completed > 0) return false;
  return writes.started === 0 || fault.stage !== 'in-flight';
}

/**
 * The Kysely unit of work: `build` binds a set of repositories to a handle, the transaction's
 * inside `transaction`. SQL errors leave as AppError (constraint races become conflicts, an
 * unreachable database or a COMMIT of unknown outcome `storage.unavailable`). Transient faults
 * are retried within the handle's budget: a transaction whose COMMIT was not sent, any unit that
 * only read, serialization failures and deadlocks. The callback may therefore run more than
 * once: it must do database work only (mail, IdP calls and other effects go after it returns).
 */
export function unitOfWork<R>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>) => R,
  clock: RetryClock = realRetryClock,
): UnitOfWork<R> {
  return {
    transaction: (fn) => traced(db, 'store.transaction', () => transaction(fn)),
    read: (fn) => traced(db, 'store.read', () => read(fn)),
  };
  async function transaction<T>(fn: (r: R) => Promise<T>): Promise<T> {
    const journal = journals.get(db);
    const replayed = journal?.replay();
    if (replayed) return replayed.value as T;
    const count = counting(db);
    try {
      return await withRetry(
        retryBudgetOf(db),
        () =>
          count.attempt(() =>
            db.transaction().execute(async (trx) => {
              const out = await fn(build(trx));
              if (journal) await journal.record(trx, out);
              return out;
            }),
          ),
        mayRetryTransaction,
        clock,
        count.onRetry,
      );
    } catch (e) {
      throw mapSqlError(e);
    }
  }
  async function read<T>(fn: (r: R) => Promise<T>): Promise<T> {
    let writes = new WriteTracker();
    const count = counting(db);
    try {
      return await withRetry(
        retryBudgetOf(db),
        () => {
          writes = new WriteTracker();
          return count.attempt(() => fn(build(db.withPlugin(writes))));
        },
        (e) => mayRetryRead(e, writes),
        clock,
        count.onRetry,
      );
    } catch (e) {
      throw mapSqlError(e);
    }
  }
}

/**
 * One storage call outside the repositories (decision reads, housekeeping) with the same
 * classification and retry as a unit of work: `fn` must read only or be idempotent.
 */
export function storageCall<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return unitOfWork(db, (h) => h).read(fn);
}

export const kyselyStore = (db: Kysely<Database>): Store => unitOfWork(db, reposFor);
