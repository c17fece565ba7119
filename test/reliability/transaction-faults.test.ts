import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitOfWork } from '../../src/storage/store.js';
import { expectUnavailable, type FaultKit, faultKit, faultTestsEnabled, sleep, v1 } from './fault-kit.js';

let f: FaultKit;

describe.skipIf(!faultTestsEnabled())('transactions hit by a fault', () => {
  beforeAll(async () => {
    f = await faultKit({ deadlock_timeout: '100ms' });
  }, 60_000);
  afterAll(async () => f?.close());

  it('runs a transaction again once when its connection was killed before COMMIT', async () => {
    // Hold the tenant's audit head: the creation blocks there, mid-transaction.
    const blocker = new pg.Client({ connectionString: f.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${f.schema}.audit_heads WHERE tenant_id = $1 FOR UPDATE`, [f.reseller.id]);
      const blockerPid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const pending = f.admin.call('POST', v1(`/tenants/${f.reseller.id}/users`), { loginName: 'killed-once' });
      const victim = await f.backendWhere("wait_event_type = 'Lock' AND query LIKE '%audit_heads%'", blockerPid);
      await f.db.query('SELECT pg_terminate_backend($1)', [victim]);
      await blocker.query('ROLLBACK');
      const res = await pending;
      expect(res.statusCode).toBe(201);
      const id = res.json().user.id;
      expect(await f.countIn('users', 'tenant_id = $1 AND login_name = $2', [f.reseller.id, 'killed-once'])).toBe(1);
      expect(await f.countIn('audit_events', "action = 'user.created' AND target_id = $1", [id])).toBe(1);
    } finally {
      await blocker.end();
    }
  });

  it('answers 503 and does not retry when the connection breaks while COMMIT is in flight', async () => {
    // A synchronous standby that never comes makes COMMIT wait; killing that backend then ends
    // the session after the transaction committed locally: the outcome the client cannot know.
    await f.db.query("ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
    await f.db.query('SELECT pg_reload_conf()');
    await sleep(300);
    let res: LightMyRequestResponse;
    try {
      const pending = f.admin.call('POST', v1(`/tenants/${f.reseller.id}/users`), { loginName: 'unknown-outcome' });
      const victim = await f.backendWhere("wait_event = 'SyncRep'");
      await f.db.query('SELECT pg_terminate_backend($1)', [victim]);
      res = await pending;
    } finally {
      await f.db.query('ALTER SYSTEM RESET synchronous_standby_names');
      await f.db.query('SELECT pg_reload_conf()');
      await sleep(300);
    }
    const body = expectUnavailable(res);
    expect(body.detail).toMatch(/may or may not be saved/);
    // It did commit (locally), exactly once: a retry would have answered 409 or written twice.
    expect(await f.countIn('users', 'tenant_id = $1 AND login_name = $2', [f.reseller.id, 'unknown-outcome'])).toBe(1);
    expect(
      await f.countIn(
        'audit_events',
        `action = 'user.created' AND target_id = (SELECT id::text FROM ${f.schema}.users WHERE login_name = $1)`,
        ['unknown-outcome'],
      ),
    ).toBe(1);
  });

  it('survives a connection that dies between two statements of a transaction, and runs it again', async () => {
    // Without a listener on the checked-out client, pg would raise this as an uncaught error.
    let attempts = 0;
    const uow = unitOfWork(f.h.k.db.kysely, (trx) => trx);
    const pid = await uow.transaction(async (trx) => {
      attempts++;
      const own = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid as number;
      if (attempts === 1) {
        await f.db.query('SELECT pg_terminate_backend($1)', [own]);
        await sleep(200); // the session's end arrives while the client sits idle in the transaction
      }
      await sql`SELECT 1`.execute(trx);
      return own;
    });
    expect(attempts).toBe(2);
    expect(pid).toBeGreaterThan(0);
  });

  it('runs an autocommit read again after its connection was killed, but never a write cut off in flight', async () => {
    const uow = unitOfWork(f.h.k.db.kysely, (h) => h);
    let reads = 0;
    const reading = uow.read(async (h) => {
      reads++;
      return (await sql<{ n: number }>`SELECT 7 AS n FROM pg_sleep(${reads === 1 ? 5 : 0})`.execute(h)).rows[0]?.n;
    });
    await f.db.query('SELECT pg_terminate_backend($1)', [await f.backendWhere("query LIKE '%pg_sleep%'")]);
    expect([await reading, reads]).toEqual([7, 2]);

    await f.db.query('CREATE TABLE IF NOT EXISTS public.fault_counter (id int PRIMARY KEY, n int NOT NULL)');
    await f.db.query('INSERT INTO public.fault_counter VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
    await f.db.query("ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
    await f.db.query('SELECT pg_reload_conf()');
    await sleep(300);
    let writes = 0;
    try {
      const writing = uow.read(async (h) => {
        writes++;
        await sql`UPDATE public.fault_counter SET n = n + 1 WHERE id = 1`.execute(h);
      });
      const failed = writing.catch((e: unknown) => e);
      await f.db.query('SELECT pg_terminate_backend($1)', [await f.backendWhere("wait_event = 'SyncRep'")]);
      expect(await failed).toMatchObject({ code: 'storage.unavailable' });
    } finally {
      await f.db.query('ALTER SYSTEM RESET synchronous_standby_names');
      await f.db.query('SELECT pg_reload_conf()');
      await sleep(300);
    }
    expect(writes).toBe(1);
    expect(await f.db.query('SELECT n FROM public.fault_counter')).toEqual([{ n: 1 }]);
  });

  it('retries a transaction chosen as a deadlock victim (40P01) and applies it once', async () => {
    await f.db.query('CREATE TABLE IF NOT EXISTS public.fault_probe (id int PRIMARY KEY, n int NOT NULL)');
    await f.db.query('INSERT INTO public.fault_probe VALUES (1, 0), (2, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
    const other = new pg.Client({ connectionString: f.db.url });
    await other.connect();
    try {
      // Which of two waiting backends detects a deadlock is whichever's deadlock_timeout fires
      // first: on a loaded machine the product's backend may be scheduled late and this client's
      // check ran first, making it the victim (an unhandled 40P01 here). A long timeout on this
      // side leaves the detection, and the abort, to the product's transaction.
      await other.query("SET deadlock_timeout = '60s'");
      await other.query('BEGIN');
      await other.query('UPDATE public.fault_probe SET n = n + 100 WHERE id = 2');
      const otherPid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      let attempts = 0;
      const uow = unitOfWork(f.h.k.db.kysely, (trx) => trx);
      const pending = uow.transaction(async (trx) => {
        attempts++;
        await sql`UPDATE public.fault_probe SET n = n + 1 WHERE id = 1`.execute(trx);
        await sql`UPDATE public.fault_probe SET n = n + 1 WHERE id = 2`.execute(trx);
      });
      await f.backendWhere("wait_event_type = 'Lock' AND query LIKE '%fault_probe%'", otherPid);
      // Closes the cycle: the transaction that waited first finds the deadlock and is aborted.
      await other.query('UPDATE public.fault_probe SET n = n + 100 WHERE id = 1');
      await other.query('COMMIT');
      await pending;
      expect(attempts).toBe(2);
      const rows = await f.db.query<{ id: number; n: number }>('SELECT id, n FROM public.fault_probe ORDER BY id');
      expect(rows).toEqual([
        { id: 1, n: 101 },
        { id: 2, n: 101 },
      ]);
    } finally {
      await other.end();
    }
  });

  it('drops every cached permission when the NOTIFY connection comes back, even if the version did not move', async () => {
    const engine = f.h.k.decisions;
    let resyncs = 0;
    const unregister = f.h.k.onResync(() => resyncs++);
    try {
      expect(await engine.decide(f.buyer.id, f.consumer.id, 'orders.read')).toEqual({ allowed: true });
      // A change the cache cannot hear about: triggers off, so neither NOTIFY nor a version bump
      // (what a failover that lost commits could leave behind).
      const c = new pg.Client({ connectionString: f.db.url });
      await c.connect();
      try {
        await c.query("SET session_replication_role = 'replica'");
        await c.query(`DELETE FROM ${f.schema}.user_roles WHERE user_id = $1`, [f.buyer.id]);
      } finally {
        await c.end();
      }
      await sleep(700); // past the periodic verification: the version is unchanged, the cache stays
      expect(await engine.decide(f.buyer.id, f.consumer.id, 'orders.read')).toEqual({ allowed: true });

      const listener = await f.backendWhere("query = 'LISTEN kontor_decisions'");
      await f.db.query('SELECT pg_terminate_backend($1)', [listener]);
      await f.backendWhere(`query = 'LISTEN kontor_decisions' AND pid <> ${listener}`);
      await sleep(100);
      expect(resyncs).toBeGreaterThanOrEqual(2); // lost, and back
      expect((await engine.decide(f.buyer.id, f.consumer.id, 'orders.read')).allowed).toBe(false);
    } finally {
      unregister();
    }
  });
});

describe.skipIf(faultTestsEnabled())('transactions hit by a fault (skipped)', () => {
  it.skip('need PostgreSQL (DATABASE_URL) and initdb for a private cluster', () => {});
});
