import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { backoffMs, type RetryBudget, type RetryClock, withRetry } from '../../src/storage/retry.js';
import type { Database } from '../../src/storage/schema.js';
import { CommitOutcomeUnknown, ConnectFailed, classifyFault, mapSqlError } from '../../src/storage/sql-errors.js';
import { mayRetryRead, mayRetryTransaction } from '../../src/storage/store.js';
import { WriteTracker } from '../../src/storage/write-tracker.js';

const pgError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code, severity: 'ERROR' });
const socketError = (code: string, syscall = 'read') =>
  Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe('the storage fault classifier', () => {
  it.each([
    ['Connection terminated unexpectedly', 'in-flight'],
    ['Connection terminated', 'in-flight'],
    ['Query read timeout', 'in-flight'],
    ['timeout expired', 'not-sent'],
    ['timeout exceeded when trying to connect', 'not-sent'],
    ['Client has encountered a connection error and is not queryable', 'not-sent'],
  ])('takes node-postgres "%s" for an unavailable database (%s)', (message, stage) => {
    expect(classifyFault(new Error(message))).toEqual({ kind: 'unavailable', stage });
  });

  it.each([
    ['ECONNREFUSED', 'not-sent'],
    ['ECONNRESET', 'in-flight'],
    ['EPIPE', 'in-flight'],
  ])('takes the socket error %s for an unavailable database (%s)', (code, stage) => {
    expect(classifyFault(socketError(code))).toEqual({ kind: 'unavailable', stage });
  });

  it.each([
    ['57P01', 'in-flight'],
    ['57P02', 'in-flight'],
    ['57P03', 'not-sent'],
    ['53300', 'not-sent'],
    ['25006', 'rejected'],
    ['08006', 'in-flight'],
    ['08003', 'in-flight'],
    ['08001', 'not-sent'],
  ])('takes SQLSTATE %s for an unavailable database (%s)', (code, stage) => {
    expect(classifyFault(pgError(code))).toEqual({ kind: 'unavailable', stage });
  });

  it.each(['40001', '40P01'])('takes SQLSTATE %s for a lost race the server rolled back', (code) => {
    expect(classifyFault(pgError(code))).toEqual({ kind: 'conflict', stage: 'rejected' });
  });

  it.each(['23505', '23503', '22P02', '42P01', '28P01', '42501'])('leaves SQLSTATE %s alone', (code) => {
    expect(classifyFault(pgError(code))).toBeUndefined();
  });

  it('leaves programming errors and AppErrors alone', () => {
    expect(classifyFault(new TypeError('x is undefined'))).toBeUndefined();
    expect(classifyFault(new AppError('resource.not_found'))).toBeUndefined();
    expect(classifyFault('a string')).toBeUndefined();
  });

  it('counts any transient failure to get a connection as not sent', () => {
    expect(classifyFault(new ConnectFailed(new Error('Connection terminated unexpectedly')))).toEqual({
      kind: 'unavailable',
      stage: 'not-sent',
    });
    expect(classifyFault(new ConnectFailed(pgError('57P03')))?.stage).toBe('not-sent');
    expect(classifyFault(new ConnectFailed(socketError('EHOSTDOWN', 'connect')))?.stage).toBe('not-sent');
    expect(classifyFault(new ConnectFailed(pgError('28P01')))).toBeUndefined();
  });

  it('answers 503 storage.unavailable for an unreachable database and an unknown commit outcome', () => {
    for (const e of [new Error('Connection terminated unexpectedly'), pgError('57P01'), pgError('25006')]) {
      const mapped = mapSqlError(e) as AppError;
      expect(mapped).toBeInstanceOf(AppError);
      expect([mapped.code, mapped.status]).toEqual(['storage.unavailable', 503]);
    }
    const unknown = mapSqlError(new CommitOutcomeUnknown(new Error('Connection terminated unexpectedly'))) as AppError;
    expect([unknown.code, unknown.status]).toEqual(['storage.unavailable', 503]);
    expect(unknown.message).toMatch(/may or may not be saved/);
    expect((mapSqlError(pgError('40001')) as AppError).code).toBe('resource.conflict');
  });
});

describe('the retry decision', () => {
  const lost = new Error('Connection terminated unexpectedly');

  it('retries a transaction that broke or was refused before COMMIT was sent', () => {
    for (const e of [
      lost,
      pgError('57P01'),
      pgError('25006'),
      pgError('40001'),
      pgError('40P01'),
      new ConnectFailed(lost),
    ]) {
      expect(mayRetryTransaction(e)).toBe(true);
    }
  });

  it('never retries a COMMIT whose outcome is unknown, nor a non-transient error', () => {
    expect(mayRetryTransaction(new CommitOutcomeUnknown(lost))).toBe(false);
    expect(mayRetryTransaction(pgError('23505'))).toBe(false);
    expect(mayRetryTransaction(new AppError('auth.forbidden'))).toBe(false);
  });

  it('retries an autocommit unit only when no write can be repeated', () => {
    expect(mayRetryRead(lost, { started: 0, completed: 0 })).toBe(true); // reads only
    expect(mayRetryRead(new ConnectFailed(lost), { started: 1, completed: 0 })).toBe(true); // write never sent
    expect(mayRetryRead(pgError('25006'), { started: 1, completed: 0 })).toBe(true); // write refused
    expect(mayRetryRead(lost, { started: 1, completed: 0 })).toBe(false); // write in flight: unknown
    expect(mayRetryRead(pgError('57P01'), { started: 1, completed: 0 })).toBe(false); // may have committed locally
    expect(mayRetryRead(new ConnectFailed(lost), { started: 2, completed: 1 })).toBe(false); // one write done
    expect(mayRetryRead(pgError('23505'), { started: 0, completed: 0 })).toBe(false);
  });
});

/** A clock that only moves when the policy sleeps, recording each pause. */
function fakeClock(random = 0.5): RetryClock & { pauses: number[]; t: number } {
  const c = {
    t: 0,
    pauses: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.pauses.push(ms);
      c.t += ms;
    },
    random: () => random,
  };
  return c;
}

const budget: RetryBudget = { attempts: 5, budgetMs: 3000, baseDelayMs: 50, maxDelayMs: 1000 };
const failing = (e: unknown) => async () => {
  throw e;
};
/** An attempt that counts its calls and always fails with `e`. */
const counted = (e: unknown) => {
  const c = {
    n: 0,
    attempt: async () => {
      c.n++;
      throw e;
    },
  };
  return c;
};

describe('the retry policy', () => {
  it('retries a transient failure until it succeeds', async () => {
    let n = 0;
    const clock = fakeClock();
    const result = await withRetry(
      budget,
      async () => {
        if (++n < 3) throw new Error('Connection terminated unexpectedly');
        return 'done';
      },
      () => true,
      clock,
    );
    expect([result, n, clock.pauses.length]).toEqual(['done', 3, 2]);
  });

  it('stops after the configured attempts and throws the last error', async () => {
    const e = new Error('last');
    const c = counted(e);
    await expect(withRetry(budget, c.attempt, () => true, fakeClock())).rejects.toBe(e);
    expect(c.n).toBe(5);
  });

  it('grows the backoff exponentially, with jitter in the upper half of each step', async () => {
    const clock = fakeClock(0.5);
    await expect(withRetry(budget, failing(new Error('x')), () => true, clock)).rejects.toThrow('x');
    expect(clock.pauses).toEqual([38, 75, 150, 300]);
    for (let retry = 1; retry <= 8; retry++) {
      const step = Math.min(1000, 50 * 2 ** (retry - 1));
      expect(backoffMs(budget, retry, () => 0)).toBe(step / 2);
      expect(backoffMs(budget, retry, () => 1)).toBe(step);
    }
  });

  it('starts no retry beyond the time budget', async () => {
    const clock = fakeClock(1);
    const slow = { ...budget, attempts: 20, budgetMs: 1000 };
    let n = 0;
    await expect(
      withRetry(
        slow,
        async () => {
          n++;
          clock.t += 100; // each attempt takes 100 ms
          throw new Error('down');
        },
        () => true,
        clock,
      ),
    ).rejects.toThrow('down');
    expect(clock.t).toBeLessThanOrEqual(1000 + 100);
    expect(n).toBeLessThan(20);
    expect(clock.pauses.reduce((a, b) => a + b, 0) + n * 100).toBeLessThanOrEqual(1100);
  });

  it('does not retry what the decision refuses', async () => {
    const clock = fakeClock();
    const c = counted(new CommitOutcomeUnknown(new Error('x')));
    await expect(withRetry(budget, c.attempt, mayRetryTransaction, clock)).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    expect([c.n, clock.pauses.length]).toEqual([1, 0]);
  });

  it('runs once when retrying is turned off', async () => {
    const c = counted(new Error('x'));
    await expect(withRetry({ ...budget, attempts: 1 }, c.attempt, () => true, fakeClock())).rejects.toThrow();
    expect(c.n).toBe(1);
  });
});

describe('the write tracker of autocommit units', () => {
  const tracked = () => {
    const writes = new WriteTracker();
    const db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
      plugins: [writes],
    });
    return { db, writes };
  };

  it('counts selects and raw SELECTs as reads, and everything else as writes', async () => {
    const { db, writes } = tracked();
    await db.selectFrom('users').selectAll().execute();
    await sql`SELECT 1`.execute(db);
    expect([writes.started, writes.completed]).toEqual([0, 0]);
    await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id_hash', '=', 'x').execute();
    await sql`DELETE FROM sessions`.execute(db);
    await db
      .with('gone', (q) => q.deleteFrom('sessions').returningAll())
      .selectFrom('gone')
      .selectAll()
      .execute();
    expect(writes.started).toBe(3);
    // The dummy driver reports no row count: an unknown count counts as a change.
    expect(writes.completed).toBe(3);
  });
});
