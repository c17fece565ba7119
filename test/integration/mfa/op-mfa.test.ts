import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { authorize, Browser, type OpKit, opKit, redeem } from '../oidc/op-kit.js';

/**
 * Second factors and the OpenID Provider (issues 15 and 16): a session held at MFA enrolment
 * opens no app, and the tokens say how the person authenticated (`amr`).
 */
describe('the OpenID Provider under the security policy', () => {
  let kit: OpKit;
  let strict: Tenant;
  let relaxed: Tenant;
  beforeAll(async () => {
    kit = await opKit();
    strict = await kit.k.aTenant(kit.k.root, 'reseller', 'strict-msp');
    relaxed = await kit.k.aTenant(kit.k.root, 'reseller', 'relaxed-msp');
    await kit.k.db.kysely
      .insertInto('tenant_security_policies')
      .values({ tenant_id: strict.id, settings: JSON.stringify({ mfa: 'everyone' }), updated_at: new Date() })
      .execute();
  });
  afterAll(async () => kit?.close());

  it('issues nothing to a session that the policy holds at enrolment', async () => {
    await kit.k.aUserIn(strict, ['CustomerBasic'], { login: 'nofactor', password: 'correct horse battery staple' });
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = new Browser(kit.op.base);
    await b.signIn(strict, 'nofactor', 'correct horse battery staple');
    const silent = await authorize(config, a, b, { tenant: 'strict-msp', prompt: 'none', scope: 'openid' });
    expect(new URL(silent.url).searchParams.get('error')).toBe('login_required');
    const asked = await authorize(config, a, b, { tenant: 'strict-msp' });
    expect(asked.url.startsWith(a.redirectUri)).toBe(false);
  });

  it('names the second factor in the ID token’s amr', async () => {
    await kit.k.aUserIn(relaxed, ['CustomerBasic'], { login: 'twofactor', password: 'correct horse battery staple' });
    const b = new Browser(kit.op.base);
    const csrf = await b.signIn(relaxed, 'twofactor', 'correct horse battery staple');
    const post = async (path: string, body: unknown, token: string) => {
      const res = await b.fetch(`/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return res.json();
    };
    const { secret } = await post('/me/mfa/totp', { currentPassword: 'correct horse battery staple' }, csrf);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    await post('/me/mfa/totp/confirm', { code: totp.generate() }, csrf);
    // A fresh sign-in with both factors (the next time step: the confirming code is spent).
    const again = new Browser(kit.op.base);
    const first = await again.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: relaxed.slug, username: 'twofactor', password: 'correct horse battery staple' }),
    });
    const { pendingToken } = (await first.json()) as { pendingToken: string };
    const done = await again.fetch('/api/v1/auth/login/second-factor', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pendingToken, code: totp.generate({ timestamp: Date.now() + 30_000 }) }),
    });
    expect(done.status, await done.clone().text()).toBe(200);
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const tokens = await redeem(config, await authorize(config, a, again, { tenant: 'relaxed-msp' }));
    expect(tokens.claims()?.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
  });
});
