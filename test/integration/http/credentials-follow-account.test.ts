import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const bearer = (token: string) =>
  h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
const withCookie = (cookie: string) =>
  h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } });
const tokenOf = (link: string) => link.slice(link.indexOf('#token=') + 7);
const NEW_PASSWORD = 'violet kettle under seven moons';

describe('sessions and API tokens follow the account', () => {
  it('does not bring a token or session back when a locked user is unlocked', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const t = (await u.call('POST', '/api/v1/me/tokens', { name: 'mine' })).json().token;
    expect((await bearer(t)).statusCode).toBe(200);
    expect((await admin.call('POST', `/api/v1/users/${u.user.id}/lock`)).statusCode).toBe(200);
    expect((await admin.call('POST', `/api/v1/users/${u.user.id}/unlock`)).statusCode).toBe(200);
    problem(await bearer(t), 401, 'auth.unauthenticated');
    problem(await withCookie(u.cookie), 401);
    expect((await h.login(h.k.root, u.user.loginName, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('ends tokens and sessions of a disabled user for good', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const t = (await u.call('POST', '/api/v1/me/tokens', { name: 'mine' })).json().token;
    await admin.call('POST', `/api/v1/users/${u.user.id}/disable`);
    await admin.call('POST', `/api/v1/users/${u.user.id}/enable`);
    problem(await bearer(t), 401);
    problem(await withCookie(u.cookie), 401);
  });

  it('refuses a token and a session from before a consumed reset link', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const t = (await u.call('POST', '/api/v1/me/tokens', { name: 'mine' })).json().token;
    const link = (await admin.call('POST', `/api/v1/users/${u.user.id}/password-reset`)).json().link;
    // Issuing a link alone changes nothing: the current password keeps working until it is used.
    expect((await bearer(t)).statusCode).toBe(200);
    const set = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token: tokenOf(link), newPassword: NEW_PASSWORD },
    });
    expect(set.statusCode).toBe(204);
    problem(await bearer(t), 401, 'auth.unauthenticated');
    problem(await withCookie(u.cookie), 401);
  });

  it('keeps the session that changed its own password and ends other sessions and all tokens', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const other = await h.login(h.k.root, u.user.loginName, TEST_PASSWORD);
    const otherCookie = other.cookies.find((c) => c.name === 'kontor_session')?.value as string;
    const t = (await u.call('POST', '/api/v1/me/tokens', { name: 'mine' })).json().token;
    const changed = await u.call('POST', '/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(204);
    expect((await u.call('GET', '/api/v1/me')).statusCode).toBe(200);
    problem(await withCookie(otherCookie), 401);
    problem(await bearer(t), 401, 'auth.unauthenticated');
  });
});
