import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Answer, type Cluster, call, schemaName, startCluster } from './instances.js';
import { expectOnlyPoolWaits, outputMarks } from './overload.js';

/**
 * The one 503 a burst may see (races.test.ts), provoked on purpose: another session holds
 * `throttle_counters` locked, so every sign-in blocks on its throttle write while holding one of
 * the instance's 10 pooled connections; the rest wait for the pool past the connect timeout and
 * must answer 503 `storage.unavailable` with Retry-After, logged with the pool's own cause — and
 * once the lock is gone, the instance answers normally again. PostgreSQL only.
 */

const BURST = 40;
const POOL = 10; // poolConfig's default `max`

let c: Cluster;

describe.skipIf(!process.env.DATABASE_URL)('a burst larger than the connection pool', () => {
  beforeAll(async () => {
    c = await startCluster({
      count: 1,
      schema: schemaName(inject('testRun')),
      // The smallest accepted wait, and no retry budget: the pool wait surfaces quickly.
      env: { KONTOR_DB_CONNECT_TIMEOUT_MS: '100', KONTOR_DB_RETRY_BUDGET_MS: '0' },
    });
  }, 120_000);
  afterAll(async () => c?.stop(), 30_000);

  it('answers the documented 503 for a pool wait, and only for that', async () => {
    const url = c.instances[0]?.url ?? '';
    const locker = new pg.Client({ connectionString: c.databaseUrl });
    await locker.connect();
    try {
      await locker.query(`SET search_path TO ${c.schema}`);
      await locker.query('BEGIN');
      // Reads go on; every throttle write (each sign-in makes one) waits for this transaction.
      await locker.query('LOCK TABLE throttle_counters IN EXCLUSIVE MODE');
      const marks = outputMarks(c);
      const done: Answer[] = [];
      const all = Array.from({ length: BURST }, (_, i) =>
        call(url, undefined, 'POST', '/api/v1/auth/login', {
          tenant: 'provider',
          username: `nobody-${i}`,
          password: 'wrong',
        }).then((r) => {
          done.push(r);
          return r;
        }),
      );
      // At most POOL requests can hold a connection (blocked on the lock); every other one must
      // come back while the lock is still held. Wait for that, not for a time.
      await until(() => done.length >= BURST - POOL);
      await locker.query('COMMIT');
      const rs = await Promise.all(all);
      const overloaded = rs.filter((r) => r.status === 503);
      expect(overloaded.length).toBeGreaterThanOrEqual(BURST - POOL);
      for (const r of overloaded) {
        expect(r.body.code).toBe('storage.unavailable');
        expect(r.headers.get('retry-after')).not.toBeNull();
      }
      expect(rs.filter((r) => r.status !== 503 && r.status !== 401).map((r) => [r.status, r.body])).toEqual([]);
      await expectOnlyPoolWaits(c, rs, marks);
    } finally {
      await locker.end();
    }
    // The pool recovered: the next sign-in is answered as usual.
    const after = await call(url, undefined, 'POST', '/api/v1/auth/login', {
      tenant: 'provider',
      username: 'nobody-after',
      password: 'wrong',
    });
    expect(after.status).toBe(401);
  });
});

async function until(cond: () => boolean): Promise<void> {
  // Bounded by the test timeout; polls an observable condition, never a fixed delay.
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}
