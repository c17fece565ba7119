import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem, sessionCookieOf } from '../http/http-kit.js';
import { codeAt, enrolTotp, signInWithCode, v1 } from './mfa-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit({ login: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 10_000, windowSeconds: 900 } });
});
afterAll(async () => h?.close());

describe('TOTP enrolment (issue 16)', () => {
  it('returns the secret, otpauth URI and QR code once, confirms with a computed code, and mails the user', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    await h.k.deps.store.transaction((r) =>
      r.users.update(t.id, c.user.id, { email: 'enrol@example.com' }, new Date()),
    );
    problem(await c.call('POST', v1('/me/mfa/totp'), {}), 400, 'validation.invalid');
    problem(await c.call('POST', v1('/me/mfa/totp'), { currentPassword: 'not the password at all' }), 400);
    const start = await c.call('POST', v1('/me/mfa/totp'), { currentPassword: TEST_PASSWORD });
    expect(start.statusCode).toBe(201);
    const body = start.json();
    expect(body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(body.otpauthUri).toContain(`secret=${body.secret}`);
    expect(body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    // A wrong first code confirms nothing.
    problem(await c.call('POST', v1('/me/mfa/totp/confirm'), { code: '000000' }), 401, 'mfa.code_invalid');
    const confirm = await c.call('POST', v1('/me/mfa/totp/confirm'), { code: codeAt(h, body.secret) });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().recoveryCodes).toHaveLength(10);
    expect(sessionCookieOf(confirm)).toBeDefined();
    const renewed = h.clientFor(confirm, c.user, t);
    const me = (await renewed.call('GET', v1('/me'))).json();
    expect(me.authentication.amr).toEqual(['pwd', 'otp']);
    const mine = (await renewed.call('GET', v1('/me/mfa'))).json();
    expect(mine.factors.map((f: { kind: string }) => f.kind)).toEqual(['totp']);
    expect(mine.recoveryCodesLeft).toBe(10);
    // The secret is never shown again, sealed at rest.
    expect(JSON.stringify(mine)).not.toContain(body.secret);
    const row = await h.k.db.kysely
      .selectFrom('user_factors')
      .select('secret_sealed')
      .where('user_id', '=', c.user.id)
      .executeTakeFirst();
    expect(row?.secret_sealed).not.toContain(body.secret);
    expect(h.mails.some((m) => m.to === 'enrol@example.com' && m.subject.includes('authenticator app was added'))).toBe(
      true,
    );
    // A second enrolment while one is confirmed is refused.
    problem(
      await renewed.call('POST', v1('/me/mfa/totp'), { currentPassword: TEST_PASSWORD }),
      409,
      'mfa.already_enrolled',
    );
  });
});

describe('sign-in with password and code (issue 16 #2)', () => {
  it('asks for the second factor after the password, opens no session before it, and records amr', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const { secret } = await enrolTotp(h, c);
    const first = await h.login(t, c.user.loginName);
    expect(first.json()).toMatchObject({ secondFactorRequired: true, factors: ['totp'] });
    expect(sessionCookieOf(first)).toBeUndefined();
    const done = await signInWithCode(h, t, c.user, { code: codeAt(h, secret) });
    expect(done.status).toBe(200);
    const me = (await done.client?.call('GET', v1('/me')))?.json();
    expect(me.authentication.amr).toEqual(['pwd', 'otp']);
    expect(me.authentication.mfaEnrolmentRequired).toBe(false);
  });

  it('refuses a replayed code, and a pending token used twice', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const { secret } = await enrolTotp(h, c);
    const code = codeAt(h, secret);
    expect((await signInWithCode(h, t, c.user, { code })).status).toBe(200);
    const replay = await signInWithCode(h, t, c.user, { code });
    expect(replay).toMatchObject({ status: 401, body: { code: 'mfa.code_invalid' } });
    // Two completions racing on one pending token: one session at most.
    h.clock.advance(30);
    const first = await h.login(t, c.user.loginName);
    const pendingToken = first.json().pendingToken;
    const fresh = codeAt(h, secret);
    const [a, b] = await Promise.all(
      [fresh, fresh].map((code) =>
        h.app.inject({ method: 'POST', url: v1('/auth/login/second-factor'), payload: { pendingToken, code } }),
      ),
    );
    expect([a?.statusCode, b?.statusCode].filter((s) => s === 200)).toHaveLength(1);
  });

  it('throttles wrong codes like passwords: at the limit the account locks for a while, even for the right code', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const { secret } = await enrolTotp(h, c);
    const first = await h.login(t, c.user.loginName);
    const pendingToken = first.json().pendingToken;
    const guess = (code: string) =>
      h.app.inject({ method: 'POST', url: v1('/auth/login/second-factor'), payload: { pendingToken, code } });
    for (let i = 0; i < 5; i++) problem(await guess('123456'), 401, 'mfa.code_invalid');
    problem(await guess(codeAt(h, secret)), 429, 'auth.throttled');
    // Signing in with the password again does not refill the guesses.
    problem(await h.login(t, c.user.loginName), 401, 'auth.invalid_credentials');
    const audit = await h.k.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('target_id', '=', c.user.id)
      .where('action', '=', 'user.temporarily_locked')
      .execute();
    expect(audit).toHaveLength(1);
    // After the lock a right code signs in.
    h.clock.advance(61);
    const later = await signInWithCode(h, t, c.user, { code: codeAt(h, secret) });
    expect(later.status).toBe(200);
  });
});

describe('recovery codes (issue 16 #1)', () => {
  it('sign in once each; a used code is refused', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const { recoveryCodes } = await enrolTotp(h, c);
    const code = recoveryCodes[3] as string;
    const once = await signInWithCode(h, t, c.user, { recoveryCode: code.toUpperCase() });
    expect(once.status).toBe(200);
    const twice = await signInWithCode(h, t, c.user, { recoveryCode: code });
    expect(twice).toMatchObject({ status: 401, body: { code: 'mfa.code_invalid' } });
    const left = (await once.client?.call('GET', v1('/me/mfa')))?.json();
    expect(left.recoveryCodesLeft).toBe(9);
    const stored = await h.k.db.kysely
      .selectFrom('user_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', c.user.id)
      .execute();
    expect(stored.map((s) => s.code_hash)).not.toContain(code);
  });

  it('removing the last factor (password again) removes the codes and signs in with the password alone', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const { client, recoveryCodes } = await enrolTotp(h, c);
    const [factor] = (await client.call('GET', v1('/me/mfa'))).json().factors;
    problem(await client.call('POST', v1(`/me/mfa/factors/${factor.id}/remove`), {}), 400, 'validation.invalid');
    const removed = await client.call('POST', v1(`/me/mfa/factors/${factor.id}/remove`), {
      currentPassword: TEST_PASSWORD,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    const plain = await h.login(t, c.user.loginName);
    expect(plain.json().csrfToken).toBeDefined();
    expect(recoveryCodes).toHaveLength(10);
    expect((await client.call('GET', v1('/me/mfa'))).json().recoveryCodesLeft).toBe(0);
  });
});

describe('a session that never proved the factor (issue 16 #1)', () => {
  it('adds, removes or renews no factor of an account that has one until it proves one', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    // A second session, opened with the password before the factor existed.
    const older = h.clientFor(await h.login(t, c.user.loginName), c.user, t);
    const { client } = await enrolTotp(h, c);
    const [factor] = (await client.call('GET', v1('/me/mfa'))).json().factors;
    const body = { currentPassword: TEST_PASSWORD };
    for (const path of [
      '/me/mfa/passkeys/options',
      '/me/mfa/totp',
      `/me/mfa/factors/${factor.id}/remove`,
      '/me/mfa/recovery-codes',
    ]) {
      problem(await older.call('POST', v1(path), body), 403, 'auth.step_up_required');
    }
    // The session that proved it may.
    expect((await client.call('POST', v1('/me/mfa/recovery-codes'), body)).statusCode).toBe(200);
  });
});

describe('proving a factor for an open session (issue 16 #2)', () => {
  it('lifts the enrolment hold of a session opened with the password alone, under a new id', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(r, ['AdministrationAdvanced']);
    const member = await h.signedIn(r, ['CustomerBasic']);
    // A second session of the member, opened with the password before it enrolled.
    const older = h.clientFor(await h.login(r, member.user.loginName), member.user, r);
    const { secret } = await enrolTotp(h, member);
    expect((await admin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { mfa: 'everyone' })).statusCode).toBe(200);
    problem(await older.call('GET', v1(`/tenants/${r.id}`)), 403, 'mfa.enrolment_required');
    problem(await older.call('POST', v1('/me/mfa/verify'), { code: '123456' }), 401, 'mfa.code_invalid');
    const verified = await older.call('POST', v1('/me/mfa/verify'), { code: codeAt(h, secret) });
    expect(verified.statusCode, verified.body).toBe(200);
    const renewed = h.clientFor(verified, member.user, r);
    expect(renewed.cookie).not.toBe(older.cookie);
    expect((await renewed.call('GET', v1(`/tenants/${r.id}`))).statusCode).toBe(200);
    expect((await renewed.call('GET', v1('/me'))).json().authentication.amr).toEqual(['pwd', 'otp']);
    // The old id is gone.
    problem(await older.call('GET', v1('/me')), 401, 'auth.unauthenticated');
  });
});
