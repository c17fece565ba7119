import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { freePort, type OpKit, opKit, type RegisteredApp } from '../oidc/op-kit.js';
import { Browser, csrfOf, field, jsonField, type RunningShop, startShop } from './shop-kit.js';

// examples/shop against the real Kontor: its OP, its sign-in and its decision API (issue 15 #7).
let kit: OpKit;
let shop: RunningShop;
let shopApp: RegisteredApp;
let msp: Tenant;
let bakery: Tenant;
let tech: User;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  kit = await opKit();
  msp = await kit.k.aTenant(kit.k.root, 'reseller', 'shop-msp');
  bakery = await kit.k.aTenant(msp, 'consumer', 'shop-bakery');
  tech = await kit.k.aUserIn(msp, ['CustomerBasic'], { login: 'tech', password: PASSWORD });
  await kit.k.anAcceptedShare(tech, bakery);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Registered as docs/connect-your-app.md says: sign-in, refresh and its own decision token.
  shopApp = await kit.anApp({
    name: 'Shop',
    redirectUris: [`${base}/callback`],
    postLogoutRedirectUris: [`${base}/`],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'kontor.tenant', 'kontor.permissions', 'kontor.decisions'],
  });
  shop = await startShop({
    KONTOR_ISSUER: kit.op.issuer,
    SHOP_CLIENT_ID: shopApp.app.id,
    SHOP_CLIENT_SECRET: shopApp.secret as string,
    SHOP_PORT: String(port),
  });
});

afterAll(async () => {
  await shop?.stop();
  await kit?.close();
});

/** A browser signed in to Kontor (as the console does), then to the shop for `tenant`. */
async function signedIn(tenant = msp.slug): Promise<{ browser: Browser; page: string }> {
  const browser = new Browser();
  const login = await browser.json(`${kit.op.base}/api/v1/auth/login`, {
    tenant: msp.slug,
    username: 'tech',
    password: PASSWORD,
  });
  expect(login.status).toBe(200);
  const res = await browser.get(`${shop.url}/login?tenant=${tenant}`);
  expect(res.status).toBe(200);
  return { browser, page: res.body };
}

describe('the example shop against Kontor', () => {
  it('signs in through Kontor and shows the person, her tenant and roles', async () => {
    const { page } = await signedIn();
    expect(field(page, 'sub')).toBe(tech.id);
    expect(jsonField(page, 'tenant')).toEqual({ id: msp.id, slug: msp.slug, kind: 'reseller' });
    expect(field(page, 'roles')).toBe('CustomerBasic');
    expect(field(page, 'tokens')).toContain('refresh token: yes');
  });

  it('asks /check with its own client-credentials token (scope kontor.decisions)', async () => {
    const { browser, page } = await signedIn();
    const yes = await browser.post(`${shop.url}/check`, { csrf: csrfOf(page), permission: 'orders.read' });
    expect(yes.body).toContain('POST /api/v1/check → 200');
    expect(jsonField(yes.body, 'check')).toEqual({ allowed: true });
    const no = await browser.post(`${shop.url}/check`, { csrf: csrfOf(yes.body), permission: 'users.create' });
    expect(jsonField(no.body, 'check')).toEqual({ allowed: false, reason: 'not_granted' });
  });

  it('is refused at once when the app loses kontor.decisions', async () => {
    const { browser, page } = await signedIn();
    const before = await browser.post(`${shop.url}/check`, { csrf: csrfOf(page), permission: 'orders.read' });
    expect(before.body).toContain('POST /api/v1/check → 200');
    const scopes = shopApp.app.scopes.filter((s) => s !== 'kontor.decisions');
    await kit.k.deps.store.transaction((r) => r.apps.update(null, shopApp.app.id, { scopes }, new Date()));
    try {
      // The shop's cached token is still unexpired: Kontor's live check refuses it anyway.
      const after = await browser.post(`${shop.url}/check`, { csrf: csrfOf(before.body), permission: 'orders.read' });
      expect(after.body).toContain('POST /api/v1/check → 401');
    } finally {
      await kit.k.deps.store.transaction((r) =>
        r.apps.update(null, shopApp.app.id, { scopes: shopApp.app.scopes }, new Date()),
      );
    }
  });

  it('switches tenant silently (prompt=none) to a shared tenant, naming the home tenant', async () => {
    const { browser, page } = await signedIn();
    const res = await browser.post(`${shop.url}/switch`, { csrf: csrfOf(page), tenant: bakery.slug });
    expect(res.trail.some((u) => new URL(u).pathname.startsWith('/oidc/interaction'))).toBe(false);
    expect(jsonField(res.body, 'tenant')).toEqual({ id: bakery.id, slug: bakery.slug, kind: 'consumer' });
    expect(jsonField(res.body, 'home-tenant')).toEqual({ id: msp.id, slug: msp.slug });
    // Like after the sign-in: a refresh token, and refreshing keeps the new tenant.
    expect(field(res.body, 'tokens')).toContain('refresh token: yes');
    const refreshed = await browser.post(`${shop.url}/refresh`, { csrf: csrfOf(res.body) });
    expect(refreshed.body).toContain('Tokens refreshed.');
    expect((jsonField(refreshed.body, 'tenant') as { slug: string }).slug).toBe(bakery.slug);
  });
});
