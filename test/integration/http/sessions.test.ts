import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem, sessionCookieOf } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

const IDLE = 600;
const ABSOLUTE = 3600;
let h: HttpKit;
beforeAll(async () => {
  h = await httpKit({
    sessionIdleSeconds: IDLE,
    sessionAbsoluteSeconds: ABSOLUTE,
    login: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 6, windowSeconds: 900 },
  });
});
afterAll(async () => h?.close());

const me = (cookie: string) => h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } });
// Failed sign-ins from their own address, so they do not count towards the address throttle
// that later tests in this file measure.
const loginFrom = (username: string, password: string) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { tenant: h.k.root.slug, username, password },
    remoteAddress: '127.0.0.9',
  });
const auditOf = (tenantId: string) => h.k.deps.store.read((r) => r.audit.list(tenantId, { limit: 100 }));

describe('sessions', () => {
  it('sets an HttpOnly SameSite=Lax cookie and rotates the id at sign-in', async () => {
    const a = await h.signedIn(h.k.root, ['CustomerBasic']);
    const again = await h.login(h.k.root, a.user.loginName, TEST_PASSWORD, { cookie: `kontor_session=${a.cookie}` });
    const cookie = again.cookies.find((c) => c.name === 'kontor_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).not.toBe(a.cookie);
    expect(cookie?.value.length).toBeGreaterThanOrEqual(43); // 32 random bytes
    problem(await me(a.cookie), 401, 'auth.unauthenticated');
    expect((await me(cookie?.value as string)).statusCode).toBe(200);
    const stored = await h.k.db.kysely.selectFrom('sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie?.value);
  });

  it('ends after the idle timeout, and activity keeps it alive until the absolute timeout', async () => {
    const a = await h.signedIn(h.k.root, ['CustomerBasic']);
    h.clock.advance(IDLE - 60);
    expect((await me(a.cookie)).statusCode).toBe(200);
    h.clock.advance(IDLE - 60);
    expect((await me(a.cookie)).statusCode).toBe(200);
    h.clock.advance(IDLE + 1);
    problem(await me(a.cookie), 401);

    const b = await h.signedIn(h.k.root, ['CustomerBasic']);
    for (let t = 0; t < ABSOLUTE - IDLE / 2; t += IDLE / 2) {
      h.clock.advance(IDLE / 2);
      expect((await me(b.cookie)).statusCode).toBe(200);
    }
    h.clock.advance(IDLE / 2);
    problem(await me(b.cookie), 401);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const a = await h.signedIn(h.k.root, ['CustomerBasic']);
    problem(await a.call('POST', '/api/v1/auth/logout', undefined, { csrf: false }), 403, 'auth.csrf');
    const out = await a.call('POST', '/api/v1/auth/logout');
    expect(out.statusCode).toBe(204);
    expect(sessionCookieOf(out)).toBe('');
    problem(await me(a.cookie), 401);
    problem(await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout' }), 401);
  });

  it('refuses cookie-authenticated writes without the right CSRF token', async () => {
    const a = await h.signedIn(h.k.root, ADMIN_ROLES);
    const write = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${h.k.root.id}/companies`,
        payload: { name: 'CSRF Ltd' },
        cookies: { kontor_session: a.cookie },
        headers,
      });
    const other = await h.signedIn(h.k.root, ADMIN_ROLES);
    const before = await h.k.counts();
    problem(await write({}), 403, 'auth.csrf');
    problem(await write({ 'x-csrf-token': 'guess' }), 403, 'auth.csrf');
    problem(await write({ 'x-csrf-token': other.csrf }), 403, 'auth.csrf');
    expect(await h.k.counts()).toEqual(before);
    expect((await a.call('GET', '/api/v1/me')).json().csrfToken).toBe(a.csrf);
    expect((await write({ 'x-csrf-token': a.csrf })).statusCode).toBe(201);
  });

  it('revokes on the next request after a lock; unlocking does not revive the session', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const victim = await h.signedIn(h.k.root, ['CustomerBasic']);
    expect((await me(victim.cookie)).statusCode).toBe(200);
    await admin.call('POST', `/api/v1/users/${victim.user.id}/lock`);
    problem(await me(victim.cookie), 401);
    await admin.call('POST', `/api/v1/users/${victim.user.id}/unlock`);
    problem(await me(victim.cookie), 401);
  });

  it('revokes on the next request after disabling, for sessions and API tokens', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const leaver = await h.signedIn(h.k.root, ['CustomerBasic']);
    const minted = await leaver.call('POST', '/api/v1/me/tokens', { name: 'script' });
    expect(minted.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${minted.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode).toBe(200);
    expect((await admin.call('POST', `/api/v1/users/${leaver.user.id}/disable`)).json().state).toBe('disabled');
    problem(await me(leaver.cookie), 401);
    problem(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer }), 401);
    expect((await loginFrom(leaver.user.loginName, TEST_PASSWORD)).statusCode).toBe(401);
  });

  it('ends the other sessions when a user changes the password, keeping the current one', async () => {
    const user = await h.signedIn(h.k.root, ['CustomerBasic']);
    const other = h.clientFor(await h.login(h.k.root, user.user.loginName), user.user, h.k.root);
    const res = await user.call('POST', '/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase for kontor',
    });
    expect(res.statusCode).toBe(204);
    expect((await me(user.cookie)).statusCode).toBe(200);
    problem(await me(other.cookie), 401);
    expect((await loginFrom(user.user.loginName, TEST_PASSWORD)).statusCode).toBe(401);
    expect((await h.login(h.k.root, user.user.loginName, 'another long passphrase for kontor')).statusCode).toBe(200);
  });

  it('applies a role change on the next request', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const helper = await h.signedIn(h.k.root, ['AdministrationBasic']);
    const list = `/api/v1/tenants/${h.k.root.id}/users`;
    expect((await helper.call('GET', list)).statusCode).toBe(200);
    expect(
      (await admin.call('PUT', `/api/v1/users/${helper.user.id}/roles`, { roles: ['CustomerBasic'] })).statusCode,
    ).toBe(200);
    problem(await helper.call('GET', list), 403, 'grant.missing_permission');
    expect((await me(helper.cookie)).json().permissions).not.toContain('users.read');
  });

  it('refuses a suspended tenant’s users on their next request', async () => {
    const sales = await h.signedIn(h.k.root, ['SalesAdvanced']);
    const c = await h.k.aTenant(h.k.root, 'consumer');
    const u = await h.signedIn(c, ['CustomerBasic']);
    await sales.call('PATCH', `/api/v1/tenants/${c.id}`, { status: 'suspended' });
    problem(await me(u.cookie), 401);
    problem(await h.login(c, u.user.loginName), 403, 'tenant.suspended');
  });

  it('gives unknown accounts the same answer as wrong passwords', async () => {
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'same-answer' });
    const ip = { remoteAddress: '10.0.0.9' };
    const inject = (tenant: string, username: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant, username, password: 'wrong password here' },
        ...ip,
      });
    const wrong = await inject(h.k.root.slug, u.loginName);
    const unknownUser = await inject(h.k.root.slug, 'nobody-here');
    const unknownTenant = await inject('no-such-tenant', u.loginName);
    problem(wrong, 401, 'auth.invalid_credentials');
    expect(unknownUser.body).toBe(wrong.body);
    expect(unknownTenant.body).toBe(wrong.body);
  });

  it('locks an account temporarily after repeated failures, audited, refusing even the right password like a wrong one', async () => {
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'lock-me' });
    const attempt = (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: h.k.root.slug, username: 'lock-me', password },
        remoteAddress: '10.0.1.1',
      });
    for (let i = 0; i < 3; i++) problem(await attempt('not the password at all'), 401);
    const wrong = await attempt('not the password at all');
    const right = await attempt(TEST_PASSWORD);
    problem(right, 401, 'auth.invalid_credentials');
    // No oracle: the right password during the lock gets the very answer a wrong one gets.
    expect(right.json()).toEqual(wrong.json());
    const stored = await h.k.deps.store.read((r) => r.users.findInTenant(h.k.root.id, u.id));
    expect(stored?.state).toBe('active'); // never locked for good by guesses
    const events = (await auditOf(h.k.root.id)).filter((e) => e.targetId === u.id);
    expect(events.filter((e) => e.action === 'auth.login_failed')).toHaveLength(5);
    const lock = events.find((e) => e.action === 'user.temporarily_locked');
    expect(lock).toMatchObject({ ip: '10.0.1.1', details: { reason: 'too_many_failed_sign_ins', seconds: 60 } });
    expect(JSON.stringify(events)).not.toContain('not the password');
    h.clock.advance(61);
    expect((await attempt(TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('throttles an address after repeated failures, counted in the database', async () => {
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'throttle-ok' });
    const from = (username: string, password: string, remoteAddress: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: h.k.root.slug, username, password },
        remoteAddress,
      });
    for (let i = 0; i < 6; i++) problem(await from(`ghost-${i}`, 'wrong password here', '10.0.2.2'), 401);
    problem(await from(u.loginName, TEST_PASSWORD, '10.0.2.2'), 429, 'auth.throttled');
    // Read before the window ends: a later sign-in from the address starts a new window.
    const row = await h.k.db.kysely
      .selectFrom('throttle_counters')
      .selectAll()
      .where('key', '=', 'addr:10.0.2.2')
      .executeTakeFirst();
    expect(row?.failures).toBe(6);
    expect((await from(u.loginName, TEST_PASSWORD, '10.0.2.3')).statusCode).toBe(200);
    h.clock.advance(901);
    expect((await from(u.loginName, TEST_PASSWORD, '10.0.2.2')).statusCode).toBe(200);
  });

  it('counts racing failures from one address exactly, in one SQL increment each', async () => {
    const attempt = (i: number) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: h.k.root.slug, username: `racer-${i}`, password: 'wrong password here' },
        remoteAddress: '10.0.3.3',
      });
    await Promise.all([0, 1, 2, 3, 4].map(attempt));
    const row = await h.k.db.kysely
      .selectFrom('throttle_counters')
      .selectAll()
      .where('key', '=', 'addr:10.0.3.3')
      .executeTakeFirst();
    expect(row?.failures).toBe(5);
  });

  it('lets a user with a forced password change reach only me, password change and logout', async () => {
    const login = await h.login(h.k.root, 'admin');
    expect(login.json().mustChangePassword).toBe(true);
    const admin = h.clientFor(login, h.k.rootAdmin, h.k.root);
    problem(await admin.call('GET', `/api/v1/tenants/${h.k.root.id}/users`), 403, 'auth.password_change_required');
    problem(await admin.call('POST', '/api/v1/me/tokens', { name: 'sneaky' }), 403, 'auth.password_change_required');
    expect((await admin.call('GET', '/api/v1/me')).statusCode).toBe(200);
    problem(
      await admin.call('POST', '/api/v1/me/password', {
        currentPassword: 'wrong',
        newPassword: 'a brand new long passphrase',
      }),
      400,
    );
    const other = await h.login(h.k.root, 'admin');
    expect(
      (
        await admin.call('POST', '/api/v1/me/password', {
          currentPassword: TEST_PASSWORD,
          newPassword: 'a brand new long passphrase',
        })
      ).statusCode,
    ).toBe(204);
    expect((await admin.call('GET', `/api/v1/tenants/${h.k.root.id}/users`)).statusCode).toBe(200);
    problem(await me(sessionCookieOf(other) as string), 401);
    problem(await h.login(h.k.root, 'admin'), 401);
    expect((await h.login(h.k.root, 'admin', 'a brand new long passphrase')).statusCode).toBe(200);
  });
});
