import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  PostgresPool,
  PostgresPoolClient,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import type { Tracing } from '../domain/tracing.js';
import { CommitOutcomeUnknown, ConnectFailed, classifyFault } from './sql-errors.js';

/**
 * A pg.Pool as Kysely sees it, with two fault rules: a failed connect is a {@link ConnectFailed}
 * (nothing was sent, so retrying is safe), and a checked-out client whose statement failed with
 * a connection-class error (lost, 57P01, 25006 on a demoted primary, query timeout) is broken:
 * further statements on it fail at once without being sent, and it is destroyed on release
 * instead of going back to the pool (Kysely releases normally; pg-pool only drops clients whose
 * socket already ended).
 */
export function droppingPool(pool: pg.Pool): PostgresPool {
  const tracked = new WeakMap<pg.PoolClient, TrackedClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw new ConnectFailed(e);
      }
      let t = tracked.get(client);
      if (!t) {
        const fresh = new TrackedClient(client);
        // A connection that dies between two statements of a checked-out client emits 'error'
        // on the client (pg-pool listens only while it is idle): unheard, it would crash the
        // process. Mark it broken instead; its next statement fails and release destroys it.
        client.on('error', (e) => {
          fresh.broken ??= e;
        });
        t = fresh;
        tracked.set(client, t);
      }
      t.broken = undefined;
      return t;
    },
    end: () => pool.end(),
  };
}

class TrackedClient implements PostgresPoolClient {
  broken: unknown;
  constructor(private readonly client: pg.PoolClient) {}

  // biome-ignore lint/suspicious/noExplicitAny: mirrors PostgresPoolClient's two overloads
  query(sqlOrCursor: any, parameters?: ReadonlyArray<unknown>): any {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor);
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return this.client.query(sqlOrCursor, parameters as unknown[]).catch((e: unknown) => {
      if (classifyFault(e)?.kind === 'unavailable') this.broken = e;
      throw e;
    });
  }

  release(destroy?: boolean): void {
    const broken = this.broken;
    this.broken = undefined;
    this.client.release(destroy || broken !== undefined ? ((broken as Error) ?? true) : undefined);
  }
}

/**
 * Wraps a dialect so that a transaction knows whether its COMMIT was sent: a connection-class
 * failure while COMMIT is in flight becomes {@link CommitOutcomeUnknown} (never retried), and
 * Kysely's ROLLBACK after it is not sent (the connection is dropped; the server rolls back
 * whatever did not commit). Failures before COMMIT keep their own error and are safe to retry.
 */
export function commitAwareDialect(inner: Dialect, tracing: () => Tracing | undefined = () => undefined): Dialect {
  return {
    createDriver: () => new CommitAwareDriver(inner.createDriver(), tracing),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    // biome-ignore lint/suspicious/noExplicitAny: the introspector takes any Kysely
    createIntrospector: (db: Kysely<any>) => inner.createIntrospector(db),
  };
}

/** The statement's first keyword (SELECT, INSERT, BEGIN …): a span name that never carries a value. */
export const sqlOperation = (text: string): string => /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';

/**
 * One span per statement (issue 19 #2), added to the connection object itself: the inner driver
 * knows its connections by identity (release, transactions), so they are not wrapped. The text
 * is Kysely's compiled SQL, whose values are all `$n` parameters; parameters are never recorded.
 */
function traceStatements(c: DatabaseConnection, tracing: () => Tracing | undefined): void {
  const execute = c.executeQuery.bind(c);
  c.executeQuery = <R>(q: CompiledQuery) => {
    const t = tracing();
    if (!t) return execute<R>(q);
    const operation = sqlOperation(q.sql);
    return t.span(operation, { 'db.operation.name': operation, 'db.query.text': q.sql }, () => execute<R>(q));
  };
}

class CommitAwareDriver implements Driver {
  private readonly unknown = new WeakMap<DatabaseConnection, CommitOutcomeUnknown>();
  private readonly traced = new WeakSet<DatabaseConnection>();
  constructor(
    private readonly inner: Driver,
    private readonly tracing: () => Tracing | undefined,
  ) {
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  }
  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  init = () => this.inner.init();
  acquireConnection = async (): Promise<DatabaseConnection> => {
    const c = await this.inner.acquireConnection();
    if (!this.traced.has(c)) {
      this.traced.add(c);
      traceStatements(c, this.tracing);
    }
    return c;
  };
  beginTransaction = (c: DatabaseConnection, s: TransactionSettings) => this.inner.beginTransaction(c, s);
  releaseConnection = (c: DatabaseConnection) => this.inner.releaseConnection(c);
  destroy = () => this.inner.destroy();

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    try {
      await this.inner.commitTransaction(c);
    } catch (e) {
      const fault = classifyFault(e);
      // A refusal (40001 at commit, a deferred constraint) rolled back; nothing sent rolled back too.
      if (fault?.kind !== 'unavailable' || fault.stage !== 'in-flight') throw e;
      const unknown = new CommitOutcomeUnknown(e);
      this.unknown.set(c, unknown);
      throw unknown;
    }
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    const unknown = this.unknown.get(c);
    if (unknown) {
      this.unknown.delete(c);
      throw unknown;
    }
    await this.inner.rollbackTransaction(c);
  }
}
