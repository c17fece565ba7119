import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { v1 } from './mfa-kit.js';
import { SoftAuthenticator } from './soft-authenticator.js';

let h: HttpKit;
let origin: string;
let rpId: string;
beforeAll(async () => {
  h = await httpKit();
  const u = new URL(h.k.config.publicUrl);
  origin = u.origin;
  rpId = u.hostname;
});
afterAll(async () => h?.close());

const post = (url: string, payload: object) => h.app.inject({ method: 'POST', url: v1(url), payload });

async function registered(t: Tenant): Promise<{ c: Client; key: SoftAuthenticator; client: Client }> {
  const c = await h.signedIn(t, ['CustomerBasic']);
  const key = new SoftAuthenticator(origin, rpId);
  const options = await c.call('POST', v1('/me/mfa/passkeys/options'), { currentPassword: TEST_PASSWORD });
  expect(options.statusCode, options.body).toBe(200);
  const done = await c.call('POST', v1('/me/mfa/passkeys'), { response: key.register(options.json()) });
  expect(done.statusCode, done.body).toBe(201);
  expect(done.json().recoveryCodes).toHaveLength(10);
  // The renewed session (its cookie and CSRF token) as a client: clientFor wants a 200.
  const renewed = Object.assign(Object.create(Object.getPrototypeOf(done)), done, { statusCode: 200 });
  return { c, key, client: h.clientFor(renewed, c.user, t) };
}

async function passwordless(t: Tenant, key: SoftAuthenticator, o: Parameters<SoftAuthenticator['assert']>[1] = {}) {
  const options = await post('/auth/passkey/options', { tenant: t.slug });
  expect(options.statusCode, options.body).toBe(200);
  const response = key.assert(options.json(), o);
  return { res: await post('/auth/passkey', { tenant: t.slug, response }), response };
}

describe('passkeys (issue 16 #1)', () => {
  it('registers a passkey, signs in with it alone, and as the second step after the password', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const { c, key, client } = await registered(t);
    expect((await client.call('GET', v1('/me'))).json().authentication.amr).toEqual(['pwd', 'hwk']);
    const { res } = await passwordless(t, key);
    expect(res.statusCode, res.body).toBe(200);
    const alone = h.clientFor(res, c.user, t);
    expect((await alone.call('GET', v1('/me'))).json().authentication.amr).toEqual(['hwk', 'user']);
    const first = await h.login(t, c.user.loginName);
    expect(first.json()).toMatchObject({ secondFactorRequired: true, factors: ['passkey'] });
    const { pendingToken } = first.json();
    const options = await post('/auth/login/passkey-options', { pendingToken });
    expect(options.json().allowCredentials.map((x: { id: string }) => x.id)).toEqual([key.id]);
    const second = await post('/auth/login/second-factor', { pendingToken, passkey: key.assert(options.json()) });
    expect(second.statusCode, second.body).toBe(200);
    const both = h.clientFor(second, c.user, t);
    expect((await both.call('GET', v1('/me'))).json().authentication.amr).toEqual(['pwd', 'hwk']);
  });

  it('refuses a registration from another origin', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['CustomerBasic']);
    const key = new SoftAuthenticator(origin, rpId);
    const options = await c.call('POST', v1('/me/mfa/passkeys/options'), { currentPassword: TEST_PASSWORD });
    const res = await c.call('POST', v1('/me/mfa/passkeys'), {
      response: key.register(options.json(), { origin: 'https://evil.example' }),
    });
    problem(res, 400, 'mfa.passkey_refused');
  });

  it('refuses a wrong origin, a wrong RP ID, a replayed assertion and a counter that goes backwards', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const { key } = await registered(t);
    problem((await passwordless(t, key, { origin: 'https://evil.example' })).res, 401, 'mfa.code_invalid');
    problem((await passwordless(t, key, { rpId: 'evil.example' })).res, 401, 'mfa.code_invalid');
    const ok = await passwordless(t, key, { counter: 5 });
    expect(ok.res.statusCode).toBe(200);
    // The same assertion again: its challenge is spent.
    problem(await post('/auth/passkey', { tenant: t.slug, response: ok.response }), 401, 'mfa.code_invalid');
    // A fresh challenge, but the counter went back: a cloned key.
    problem((await passwordless(t, key, { counter: 3 })).res, 401, 'mfa.code_invalid');
    expect((await passwordless(t, key, { counter: 6 })).res.statusCode).toBe(200);
  });

  it('refuses a removed passkey', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const { client, key } = await registered(t);
    const [factor] = (await client.call('GET', v1('/me/mfa'))).json().factors;
    const removed = await client.call('POST', v1(`/me/mfa/factors/${factor.id}/remove`), {
      currentPassword: TEST_PASSWORD,
    });
    expect(removed.statusCode).toBe(204);
    problem((await passwordless(t, key)).res, 401, 'auth.invalid_credentials');
  });

  it('refuses passkeys where the policy allows only authenticator apps', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(r, ['AdministrationAdvanced']);
    expect(
      (await admin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { allowedFactors: ['totp'] })).statusCode,
    ).toBe(200);
    const c = await h.signedIn(r, ['CustomerBasic']);
    problem(
      await c.call('POST', v1('/me/mfa/passkeys/options'), { currentPassword: TEST_PASSWORD }),
      403,
      'policy.factor_not_allowed',
    );
    problem(await post('/auth/passkey/options', { tenant: r.slug }), 403, 'policy.factor_not_allowed');
  });
});

describe('step-up with a passkey (issue 16 #5)', () => {
  it('proves a passkey for the session when the step-up window has passed', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const { client, key } = await registered(t);
    h.clock.advance(301);
    problem(await client.call('POST', v1('/me/tokens'), { name: 'stale' }), 403, 'auth.step_up_required');
    const options = await client.call('POST', v1('/me/mfa/verify/passkey-options'));
    expect(options.statusCode, options.body).toBe(200);
    const verified = await client.call('POST', v1('/me/mfa/verify'), { passkey: key.assert(options.json()) });
    expect(verified.statusCode, verified.body).toBe(200);
    const again = h.clientFor(verified, client.user, t);
    expect((await again.call('GET', v1('/me'))).json().authentication.amr).toEqual(['pwd', 'hwk']);
    expect((await again.call('POST', v1('/me/tokens'), { name: 'stepped up' })).statusCode).toBe(201);
  });
});
