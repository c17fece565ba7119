import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../../src/storage/housekeeping.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const now = new Date('2026-06-01T12:00:00Z');
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('purging expired sign-in state', () => {
  it('deletes only what can no longer matter', async () => {
    const db = k.db.kysely;
    const u = k.rootAdmin;
    const session = (id: string, lastSeen: Date, expires: Date, revoked: Date | null = null) => ({
      id_hash: id,
      user_id: u.id,
      home_tenant_id: u.tenantId,
      acting_tenant_id: u.tenantId,
      created_at: at(120),
      last_seen_at: lastSeen,
      expires_at: expires,
      revoked_at: revoked,
    });
    await db
      .insertInto('sessions')
      .values([
        session('live', at(1), later(60)),
        session('idle', at(31), later(60)),
        session('past-end', at(1), at(1)),
        session('revoked', at(1), later(60), at(5)),
      ])
      .execute();
    await db
      .insertInto('throttle_counters')
      .values([
        { key: 'open', failures: 2, window_start: at(5) },
        { key: 'closed', failures: 9, window_start: at(16) },
        // A temporary lock's level outlives the failure window by a day (decision 0004).
        { key: 'lock:recent', failures: 4, window_start: at(16) },
        { key: 'lock:yesterday', failures: 5, window_start: at(24 * 60 + 1) },
      ])
      .execute();
    const link = (hash: string, expires: Date, used: Date | null) => ({
      token_hash: hash,
      purpose: 'password_set',
      user_id: u.id,
      tenant_id: u.tenantId,
      created_at: at(60),
      expires_at: expires,
      used_at: used,
    });
    await db
      .insertInto('one_time_tokens')
      .values([link('valid', later(30), null), link('expired', at(1), null), link('used', later(30), at(2))])
      .execute();
    await db
      .insertInto('idempotency_keys')
      .values([
        { scope: 's', key: 'fresh', fingerprint: 'f', status: 201, content_type: null, body: null, created_at: at(60) },
        {
          scope: 's',
          key: 'old',
          fingerprint: 'f',
          status: 201,
          content_type: null,
          body: null,
          created_at: at(25 * 60),
        },
      ])
      .execute();

    const row = (id: string, sent: Date | null, givenUp: Date | null) => ({
      id,
      topic: 'mail',
      payload: '{}',
      created_at: at(60 * 24 * 40),
      next_attempt_at: at(60),
      attempts: 1,
      last_error: null,
      sent_at: sent,
      given_up_at: givenUp,
    });
    await db
      .insertInto('outbox')
      .values([
        row('00000000-0000-4000-8000-000000000001', null, null),
        row('00000000-0000-4000-8000-000000000002', at(60 * 24 * 6), null),
        row('00000000-0000-4000-8000-000000000003', at(60 * 24 * 8), null),
        row('00000000-0000-4000-8000-000000000004', null, at(60 * 24 * 29)),
        row('00000000-0000-4000-8000-000000000005', null, at(60 * 24 * 31)),
      ])
      .execute();
    await db
      .insertInto('oidc_payloads')
      .values(
        (
          [
            ['live', later(5)],
            ['expired', at(1)],
          ] as const
        ).map(([id, expires]) => ({
          model: 'RefreshToken',
          id,
          payload: '{}',
          account_id: null,
          grant_id: null,
          uid: null,
          user_code: null,
          expires_at: expires,
          consumed_at: null,
        })),
      )
      .execute();
    const beat = (id: string, lastSeen: Date) => ({
      id,
      started_at: at(3000),
      last_seen_at: lastSeen,
      version: '0.1.0',
      readiness: 'ready',
    });
    await db
      .insertInto('instances')
      .values([
        beat('00000000-0000-4000-8000-000000000001', at(2)),
        beat('00000000-0000-4000-8000-000000000002', at(25 * 60)),
      ])
      .execute();
    const counts = await purgeExpired(db, now, { sessionIdleSeconds: 30 * 60, throttleWindowSeconds: 15 * 60 });
    expect(counts).toEqual({
      sessions: 3,
      throttleCounters: 2,
      oneTimeTokens: 2,
      idempotencyKeys: 1,
      apiTokens: 0,
      outbox: 2,
      oidcRecords: 1,
      instances: 1,
      webhookDeliveries: 0,
    });
    const job = await db.selectFrom('system_jobs').selectAll().where('name', '=', 'purge').executeTakeFirstOrThrow();
    expect(new Date(job.last_run_at)).toEqual(now);
    expect(job.result).toEqual(counts);
    const left = async (table: string, col: string) =>
      (await sql<{ v: string }>`SELECT ${sql.ref(col)} AS v FROM ${sql.table(table)} ORDER BY 1`.execute(db)).rows.map(
        (r) => r.v,
      );
    expect(await left('sessions', 'id_hash')).toEqual(['live']);
    expect(await left('throttle_counters', 'key')).toEqual(['lock:recent', 'open']);
    expect(await left('one_time_tokens', 'token_hash')).toEqual(['valid']);
    expect(await left('idempotency_keys', 'key')).toEqual(['fresh']);
    expect(await left('oidc_payloads', 'id')).toEqual(['live']);
    // Pending, sent within the week, given up within the month.
    expect((await left('outbox', 'id')).map((id) => id.slice(-1))).toEqual(['1', '2', '4']);
  });
});
