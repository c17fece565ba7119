import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf, field, jsonField, type RunningShop, startShop } from './shop-kit.js';
import { type StandInOp, startStandInOp } from './stand-in-op.js';

// examples/shop against a stand-in OP that can be told what to answer (errors, refusals);
// shop-kontor.test.ts runs it against the real Kontor.
let op: StandInOp;
let shop: RunningShop;

const ADA = 'usr_ada';
const home = { id: 'ten_msp', slug: 'demo-msp', kind: 'reseller' };
const bakery = { id: 'ten_bakery', slug: 'demo-bakery', kind: 'consumer' };

beforeAll(async () => {
  op = await startStandInOp();
  op.addPerson(ADA, {
    name: 'Ada <b>Technician</b>',
    email: 'ada@msp.example',
    emailVerified: true,
    tenants: [
      { ...home, roles: ['CustomerAdvanced'], permissions: ['shop.use', 'orders.read'] },
      { ...bakery, roles: ['CustomerAdvanced'], permissions: ['shop.use'], home: { id: home.id, slug: home.slug } },
      { id: 'ten_dental', slug: 'demo-dental', kind: 'consumer', roles: [], permissions: [], needsSignIn: true },
    ],
  });
  op.loginAs(ADA);
  const secret = randomBytes(24).toString('base64url');
  shop = await startShop({ KONTOR_ISSUER: op.issuer, SHOP_CLIENT_ID: 'shop', SHOP_CLIENT_SECRET: secret });
  op.addClient({ clientId: 'shop', clientSecret: secret, baseUrl: shop.url });
});

afterAll(async () => {
  await shop?.stop();
  await op?.close();
});

async function signedIn(): Promise<{ browser: Browser; page: string }> {
  const browser = new Browser();
  const res = await browser.get(`${shop.url}/login`);
  expect(res.status).toBe(200);
  return { browser, page: res.body };
}

describe('the example shop', () => {
  it('signs a person in with the code flow, PKCE, state and nonce, and shows who she is', async () => {
    const before = op.authorizationRequests.length;
    const { page } = await signedIn();
    const asked = op.authorizationRequests[before]!;
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('state')).toBeTruthy();
    expect(asked.get('nonce')).toBeTruthy();
    expect(asked.get('scope')?.split(' ').sort()).toEqual(
      ['email', 'kontor.permissions', 'kontor.tenant', 'offline_access', 'openid', 'profile'].sort(),
    );
    expect(field(page, 'sub')).toBe(ADA);
    expect(field(page, 'email')).toContain('ada@msp.example (verified)');
    expect(jsonField(page, 'tenant')).toEqual(home);
    expect(jsonField(page, 'home-tenant')).toBeUndefined();
    expect(field(page, 'roles')).toBe('CustomerAdvanced');
    expect(field(page, 'permissions')).toBe('shop.use, orders.read');
    expect(field(page, 'tokens')).toContain('refresh token: yes');
  });

  it('escapes what the provider says before showing it', async () => {
    const { page } = await signedIn();
    expect(page).toContain('Ada &lt;b&gt;Technician&lt;/b&gt;');
    expect(page).not.toContain('<b>Technician</b>');
  });

  it('refuses a callback whose state this browser never sent', async () => {
    const browser = new Browser();
    const res = await browser.get(`${shop.url}/callback?code=forged&state=${randomBytes(16).toString('base64url')}`);
    expect(res.status).toBe(400);
  });

  it('switches tenant silently with prompt=none and shows the home tenant of a share', async () => {
    const { browser, page } = await signedIn();
    const interactions = op.interactions();
    const res = await browser.post(`${shop.url}/switch`, { csrf: csrfOf(page), tenant: bakery.slug });
    const asked = op.authorizationRequests.at(-1)!;
    expect(asked.get('tenant')).toBe(bakery.slug);
    expect(asked.get('prompt')).toBe('none');
    expect(op.interactions()).toBe(interactions);
    expect(jsonField(res.body, 'tenant')).toEqual(bakery);
    expect(jsonField(res.body, 'home-tenant')).toEqual({ id: home.id, slug: home.slug });
    expect(field(res.body, 'permissions')).toBe('shop.use');
  });

  it('falls back to a sign-in when the provider cannot switch silently', async () => {
    const { browser, page } = await signedIn();
    const res = await browser.post(`${shop.url}/switch`, { csrf: csrfOf(page), tenant: 'demo-dental' });
    const [silent, loud] = op.authorizationRequests.slice(-2);
    expect(silent?.get('prompt')).toBe('none');
    expect(loud?.get('prompt')).toBe('login consent');
    expect(loud?.get('tenant')).toBe('demo-dental');
    expect((jsonField(res.body, 'tenant') as { slug: string }).slug).toBe('demo-dental');
  });

  it('keeps the current sign-in when the provider refuses the tenant', async () => {
    const { browser, page } = await signedIn();
    const res = await browser.post(`${shop.url}/switch`, { csrf: csrfOf(page), tenant: 'somebody-else' });
    expect(res.body).toContain('Kontor answered access_denied');
    expect(jsonField(res.body, 'tenant')).toEqual(home);
  });

  it('ignores a form without the page’s CSRF token', async () => {
    const { browser } = await signedIn();
    const before = op.authorizationRequests.length;
    const res = await browser.post(`${shop.url}/switch`, { csrf: 'guessed', tenant: bakery.slug });
    expect(op.authorizationRequests.length).toBe(before);
    expect(jsonField(res.body, 'tenant')).toEqual(home);
  });

  it('refreshes twice in a row: it keeps the rotated refresh token', async () => {
    // The stand-in rotates refresh tokens: reusing a spent one would revoke the grant.
    const { browser, page } = await signedIn();
    const first = await browser.post(`${shop.url}/refresh`, { csrf: csrfOf(page) });
    expect(first.body).toContain('Tokens refreshed.');
    const second = await browser.post(`${shop.url}/refresh`, { csrf: csrfOf(first.body) });
    expect(second.body).toContain('Tokens refreshed.');
    expect(jsonField(second.body, 'tenant')).toEqual(home);
  });

  it('asks /check with its own client-credentials token and shows the answer', async () => {
    const { browser, page } = await signedIn();
    op.checkAnswer = { status: 200, body: { allowed: false, reason: 'not_granted' } };
    const res = await browser.post(`${shop.url}/check`, { csrf: csrfOf(page), permission: 'orders.manage' });
    expect(op.checks.at(-1)).toEqual({
      body: { userId: ADA, tenantId: home.id, permission: 'orders.manage' },
      clientId: 'shop',
    });
    expect(res.body).toContain('POST /api/v1/check → 200');
    expect(jsonField(res.body, 'check')).toEqual({ allowed: false, reason: 'not_granted' });
  });

  it('shows the error when Kontor refuses the check', async () => {
    const { browser, page } = await signedIn();
    op.checkAnswer = { status: 401, body: { status: 401, code: 'auth.unauthenticated' } };
    const res = await browser.post(`${shop.url}/check`, { csrf: csrfOf(page), permission: 'shop.use' });
    expect(res.body).toContain('POST /api/v1/check → 401');
    expect(jsonField(res.body, 'check')).toEqual({ status: 401, code: 'auth.unauthenticated' });
  });

  it('logs out at the provider too (RP-initiated logout)', async () => {
    const { browser, page } = await signedIn();
    const out = await browser.post(`${shop.url}/logout`, { csrf: csrfOf(page) });
    // oidc-provider asks the person to confirm; the end session URL is where she came from.
    const end = new URL(out.trail[1]!);
    expect(end.pathname).toBe('/oidc/session/end');
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${shop.url}/`);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(out.body)?.[1] ?? '';
    const back = await browser.post(`${op.issuer}/session/end/confirm`, { xsrf, logout: 'yes' });
    expect(back.url).toBe(`${shop.url}/`);
    expect(back.body).toContain('You are not signed in.');
    // Kontor's session is gone as well: the next sign-in is an interaction again.
    const interactions = op.interactions();
    await browser.get(`${shop.url}/login`);
    expect(op.interactions()).toBe(interactions + 1);
  });
});
