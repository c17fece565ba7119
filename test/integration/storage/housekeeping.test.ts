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

    const counts = await purgeExpired(db, now, { sessionIdleSeconds: 30 * 60, throttleWindowSeconds: 15 * 60 });
    expect(counts).toEqual({ sessions: 3, throttleCounters: 1, oneTimeTokens: 2, idempotencyKeys: 1, apiTokens: 0 });
    const left = async (table: string, col: string) =>
      (await sql<{ v: string }>`SELECT ${sql.ref(col)} AS v FROM ${sql.table(table)} ORDER BY 1`.execute(db)).rows.map(
        (r) => r.v,
      );
    expect(await left('sessions', 'id_hash')).toEqual(['live']);
    expect(await left('throttle_counters', 'key')).toEqual(['open']);
    expect(await left('one_time_tokens', 'token_hash')).toEqual(['valid']);
    expect(await left('idempotency_keys', 'key')).toEqual(['fresh']);
  });
});
