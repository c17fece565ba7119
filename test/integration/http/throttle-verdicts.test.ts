import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';

// Sign-in slots are taken before the password is checked (races across instances); only a
// recorded wrong guess may keep one. A right password refused for another reason is no guess.
describe('sign-in throttle slots', () => {
  let h: HttpKit;
  beforeAll(async () => {
    h = await httpKit({ login: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, windowSeconds: 900 } });
  });
  afterAll(async () => h?.close());

  it('gives them back when a suspended tenant refuses a right password, so resuming lets the user in', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const u = await h.k.aUserIn(t, ['CustomerBasic'], { login: 'suspended-user', password: TEST_PASSWORD });
    await sql`UPDATE tenants SET status = 'suspended', version = version + 1 WHERE id = ${t.id}`.execute(h.k.db.kysely);
    for (let i = 0; i < 5; i++) problem(await h.login(t, u.loginName), 403, 'tenant.suspended');
    const counter = await sql<{
      failures: number;
    }>`SELECT failures FROM throttle_counters WHERE key = ${`acct:${u.id}`}`.execute(h.k.db.kysely);
    expect(counter.rows[0]?.failures ?? 0).toBe(0);
    await sql`UPDATE tenants SET status = 'active', version = version + 1 WHERE id = ${t.id}`.execute(h.k.db.kysely);
    expect((await h.login(t, u.loginName)).statusCode).toBe(200);
  });

  it('keeps them for wrong passwords: the limit still locks the account', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const u = await h.k.aUserIn(t, ['CustomerBasic'], { login: 'guessed-user', password: TEST_PASSWORD });
    for (let i = 0; i < 3; i++) problem(await h.login(t, u.loginName, 'wrong password, long enough'), 401);
    problem(await h.login(t, u.loginName), 401, 'auth.invalid_credentials');
  });
});
