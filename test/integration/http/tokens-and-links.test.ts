import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit({ signup: { maxPerAddress: 4, windowSeconds: 3600 } });
});
afterAll(async () => h?.close());

const bearer = (token: string, method: 'GET' | 'POST' = 'GET', url = '/api/v1/me', payload?: object) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
const tokenOf = (link: string) => link.slice(link.indexOf('#token=') + 7);
const NEW_PASSWORD = 'violet kettle under seven moons';

describe('API tokens', () => {
  it('creates a token shown once, stored hashed, usable as Bearer without CSRF, listed and revoked', async () => {
    const a = await h.signedIn(h.k.root, ADMIN_ROLES);
    const created = await a.call('POST', '/api/v1/me/tokens', { name: 'ci robot' });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^kt_/);
    const row = await h.k.db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(token.slice(3));
    expect((await bearer(token)).json()).toMatchObject({ auth: 'token', user: { id: a.user.id } });
    expect(
      (await bearer(token, 'POST', `/api/v1/tenants/${h.k.root.id}/companies`, { name: 'Robot GmbH' })).statusCode,
    ).toBe(201);
    const list = await a.call('GET', '/api/v1/me/tokens');
    expect(list.json().items).toEqual([expect.objectContaining({ id, name: 'ci robot', revokedAt: null })]);
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(row.token_hash);
    problem(await bearer(token, 'POST', '/api/v1/me/tokens', { name: 'child' }), 403, 'auth.forbidden');
    expect((await a.call('DELETE', `/api/v1/me/tokens/${id}`)).statusCode).toBe(204);
    problem(await bearer(token), 401, 'auth.unauthenticated');
    problem(await bearer('kt_made-up'), 401);
    problem(await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } }), 401);
  });

  it('expires a token and refuses an acting tenant the user may not act for', async () => {
    const a = await h.signedIn(h.k.root, ['CustomerBasic']);
    const soon = new Date(h.clock.now().getTime() + 3600_000).toISOString();
    const t = (await a.call('POST', '/api/v1/me/tokens', { name: 'short', expiresAt: soon })).json().token;
    expect((await bearer(t)).statusCode).toBe(200);
    h.clock.advance(3601);
    problem(await bearer(t), 401);
    const b = await h.signedIn(h.k.root, ['CustomerBasic']);
    const elsewhere = await h.k.aTenant(h.k.root, 'consumer');
    problem(
      await b.call('POST', '/api/v1/me/tokens', { name: 'x', actingTenantId: elsewhere.id }),
      404,
      'resource.not_found',
    );
    problem(
      await b.call('POST', '/api/v1/me/tokens', { name: 'x', expiresAt: '2001-01-01T00:00:00Z' }),
      400,
      'validation.invalid',
    );
  });

  it('stops a token on the next request once its user is locked', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const t = (await u.call('POST', '/api/v1/me/tokens', { name: 'mine' })).json().token;
    await admin.call('POST', `/api/v1/users/${u.user.id}/lock`);
    problem(await bearer(t), 401);
  });
});

describe('admin password reset link', () => {
  it('queues a notice to the old address when an administrator changes it', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    await admin.call('PATCH', `/api/v1/users/${u.user.id}`, { email: 'old-notice@example.com' });
    await admin.call('PATCH', `/api/v1/users/${u.user.id}`, { email: 'new-notice@example.com' });
    const queued = await h.k.db.kysely.selectFrom('outbox').select('payload').execute();
    const to = queued.map((q) => (q.payload as { to: string }).to);
    expect(to).toContain('old-notice@example.com');
    expect(to).not.toContain('new-notice@example.com');
    // Out of the way of the tests below, which read the last mail delivered.
    await h.k.db.kysely.updateTable('outbox').set({ sent_at: new Date() }).where('sent_at', 'is', null).execute();
  });

  it('mails a single-use link; the admin never sees a password; a weak password does not burn it', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    await admin.call('PATCH', `/api/v1/users/${u.user.id}`, { email: 'reset-me@example.com' });
    const issued = await admin.call('POST', `/api/v1/users/${u.user.id}/password-reset`);
    expect(issued.json()).toMatchObject({ delivery: 'email', userId: u.user.id });
    expect(issued.json().link).toBeUndefined();
    // The new address also gets a verification link; this test reads the password link.
    const mail = [...h.mails].reverse().find((m) => m.link?.includes('/set-password#'));
    expect(mail?.to).toBe('reset-me@example.com');
    const token = tokenOf(mail?.link as string);
    const set = (newPassword: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/set-password', payload: { token, newPassword } });
    problem(await set('short'), 400, 'validation.password_policy');
    expect((await set(NEW_PASSWORD)).statusCode).toBe(204);
    problem(await set(`${NEW_PASSWORD}!`), 400, 'auth.token_invalid');
    problem(await h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: u.cookie } }), 401);
    problem(await h.login(h.k.root, u.user.loginName, TEST_PASSWORD), 401);
    expect((await h.login(h.k.root, u.user.loginName, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('lets exactly one of two racing redemptions of a link win', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic']);
    const token = tokenOf((await admin.call('POST', `/api/v1/users/${u.id}/password-reset`)).json().link);
    const set = (newPassword: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/auth/set-password', payload: { token, newPassword } });
    const answers = await Promise.all([set(NEW_PASSWORD), set(`${NEW_PASSWORD} too`)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([204, 400]);
  });

  it('voids an older link when a newer one is issued, and expires links', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic']);
    const first = (await admin.call('POST', `/api/v1/users/${u.id}/password-reset`)).json().link;
    const second = (await admin.call('POST', `/api/v1/users/${u.id}/password-reset`)).json().link;
    const set = (link: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/set-password',
        payload: { token: tokenOf(link), newPassword: NEW_PASSWORD },
      });
    problem(await set(first), 400, 'auth.token_invalid');
    h.clock.advance(3601);
    problem(await set(second), 400, 'auth.token_invalid');
  });
});

describe('self-registration', () => {
  it('creates a pending consumer with the supplier’s business roles; the single-use link activates it', async () => {
    const supplier = await h.k.aTenant(h.k.root, 'reseller', 'open-shop');
    const admin = await h.signedIn(supplier, ADMIN_ROLES, { type: 'primary' });
    const settings = await admin.call('PATCH', `/api/v1/tenants/${supplier.id}`, {
      settings: { selfRegistration: true, signupRoles: ['CustomerBasic'] },
    });
    expect(settings.statusCode).toBe(200);
    const body = {
      supplier: 'open-shop',
      tenantName: 'Bakery Miller',
      tenantSlug: 'bakery-miller',
      loginName: 'anna',
      email: 'anna@example.com',
      password: NEW_PASSWORD,
    };
    const signup = (b: object, remoteAddress = '10.1.0.1') =>
      h.app.inject({ method: 'POST', url: '/api/v1/signup', payload: b, remoteAddress });
    expect((await signup(body)).json()).toEqual({ status: 'pending' });
    const tenant = await h.k.deps.store.read((r) => r.tenants.findBySlug('bakery-miller'));
    expect(tenant).toMatchObject({ status: 'pending', kind: 'consumer', parentId: supplier.id });
    problem(await h.login(tenant as never, 'anna', NEW_PASSWORD), 403, 'auth.forbidden');
    const token = tokenOf(h.mails.at(-1)?.link as string);
    const confirm = () => h.app.inject({ method: 'POST', url: '/api/v1/signup/confirm', payload: { token } });
    expect((await confirm()).json()).toMatchObject({ slug: 'bakery-miller', status: 'active' });
    problem(await confirm(), 400, 'auth.token_invalid');
    const verified = await h.k.db.kysely.selectFrom('user_verified_emails').select(['email']).execute();
    expect(verified.map((v) => v.email)).toContain(h.mails.at(-1)?.to);
    const login = await h.login(tenant as never, 'anna', NEW_PASSWORD);
    const anna = h.clientFor(login, login.json().user, tenant as never);
    const who = (await anna.call('GET', '/api/v1/me')).json();
    expect(who.user).toMatchObject({ type: 'primary', roles: ['CustomerBasic'] });
    problem(await signup({ ...body, loginName: 'bert' }, '10.1.0.2'), 409, 'resource.conflict');
  });

  it('answers 404 for a supplier without self-registration and rate-limits per address', async () => {
    const closed = await h.k.aTenant(h.k.root, 'reseller', 'closed-shop');
    const body = {
      supplier: closed.slug,
      tenantName: 'X',
      tenantSlug: 'x-co',
      loginName: 'x',
      email: 'x@example.com',
      password: NEW_PASSWORD,
    };
    const signup = () =>
      h.app.inject({ method: 'POST', url: '/api/v1/signup', payload: body, remoteAddress: '10.1.9.9' });
    const before = await h.k.counts();
    for (let i = 0; i < 4; i++) problem(await signup(), 404, 'resource.not_found');
    problem(await signup(), 429, 'auth.throttled');
    expect(await h.k.counts()).toEqual(before);
  });
});
