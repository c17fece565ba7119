import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_LOCK_BASE_SECONDS } from '../../../src/app/auth/login.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 20 #9: the current-password check is a password guess like a sign-in and counts against
// the same per-account limit.
const LIMIT = 3;
const NEW_PASSWORD = 'a completely new passphrase';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit({ login: { maxFailuresPerAccount: LIMIT, maxFailuresPerAddress: 1000, windowSeconds: 900 } });
});
afterAll(async () => h?.close());

const change = (c: Client, currentPassword: string) =>
  c.call('POST', '/api/v1/me/password', { currentPassword, newPassword: NEW_PASSWORD });
const wrongOnce = async (c: Client, i: number) => {
  const body = problem(await change(c, `wrong guess ${i}`), 400, 'validation.invalid');
  expect(JSON.stringify(body)).toContain('password.wrong');
};
const eventsOf = async (c: Client, action: string) =>
  (await h.k.deps.store.read((r) => r.audit.list(c.tenant.id, { action, limit: 100 }))).filter(
    (e) => e.targetId === c.user.id,
  );
const passwordIs = async (c: Client, password: string) => {
  const hash = await h.k.deps.store.read((r) => r.users.passwordHash(c.tenant.id, c.user.id));
  return h.k.deps.hasher.verify(hash as string, password);
};

describe('the current-password check is throttled and audited (issue 20 #9)', () => {
  it('refuses with 429 after the limit without checking, even the right password, and audits each failure', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    for (let i = 1; i <= LIMIT; i++) await wrongOnce(c, i);
    problem(await change(c, 'one guess too many'), 429, 'auth.throttled');
    problem(await change(c, TEST_PASSWORD), 429, 'auth.throttled');
    expect(await passwordIs(c, TEST_PASSWORD)).toBe(true);

    const failed = await eventsOf(c, 'account.password_check_failed');
    const reasons = failed.map((e) => e.details.reason);
    expect(reasons.filter((r) => r === 'wrong_password')).toHaveLength(LIMIT);
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(2);
    expect(failed.every((e) => e.actorUserId === c.user.id)).toBe(true);
    const [lock] = await eventsOf(c, 'user.temporarily_locked');
    expect(lock?.details).toMatchObject({ reason: 'too_many_failed_password_checks', failures: LIMIT });
    // One limit: sign-in with the right password is refused while the lock lasts.
    problem(await h.login(t, c.user.loginName), 401, 'auth.invalid_credentials');
    // The session itself stays; after the lock the right password works again.
    expect((await c.call('GET', '/api/v1/me')).statusCode).toBe(200);
    h.clock.advance(TEMP_LOCK_BASE_SECONDS + 1);
    expect((await change(c, TEST_PASSWORD)).statusCode).toBe(204);
    expect(await passwordIs(c, NEW_PASSWORD)).toBe(true);
  });

  it('lets the right password through below the limit', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    for (let i = 1; i < LIMIT; i++) await wrongOnce(c, i);
    expect((await change(c, TEST_PASSWORD)).statusCode).toBe(204);
    expect(await passwordIs(c, NEW_PASSWORD)).toBe(true);
    expect(await eventsOf(c, 'account.password_check_failed')).toHaveLength(LIMIT - 1);
    expect(await eventsOf(c, 'user.temporarily_locked')).toEqual([]);
  });

  it('frees its slot when right: right answers between wrong ones do not use up the limit', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    for (let i = 1; i < LIMIT; i++) await wrongOnce(c, i);
    // Right current password, refused new one: the check passed, so it must not count.
    for (let i = 0; i < LIMIT; i++) {
      const res = await c.call('POST', '/api/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'x' });
      problem(res, 400, 'validation.password_policy');
    }
    expect((await change(c, TEST_PASSWORD)).statusCode).toBe(204);
  });

  it('shares the limit with sign-in: failed sign-ins leave fewer current-password guesses', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    for (let i = 1; i < LIMIT; i++) problem(await h.login(t, c.user.loginName, `bad ${i}`), 401);
    await wrongOnce(c, LIMIT);
    problem(await change(c, TEST_PASSWORD), 429, 'auth.throttled');
    expect(await passwordIs(c, TEST_PASSWORD)).toBe(true);
  });
});
