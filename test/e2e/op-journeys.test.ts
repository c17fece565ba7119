import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_LOGOUT_TOPIC } from '../../src/domain/oidc.js';
import type { Tenant } from '../../src/domain/tenant.js';
import type { User } from '../../src/domain/user.js';
import { TEST_PASSWORD } from '../fixtures/kontor.js';
import type { RunningShop } from '../integration/example/shop-kit.js';
import { startOp, type TestOp } from '../integration/sso/op.js';
import { ensureConsoleBuilt, hasChromium, launchChromium, openPage, seen, signIn } from './console-kit.js';
import {
  apiAdmin,
  atShopProfile,
  eventually,
  navigations,
  type OpServer,
  shopField,
  shopJson,
  startOpServer,
  startRegisteredShop,
} from './op-journey-kit.js';

// Issue 15, Tests: the example shop → Kontor's sign-in → back with tokens → tenant switch →
// refresh → logout, and back-channel logout; then the same sign-in through upstream SSO.
describe.skipIf(!hasChromium())('Kontor as the OpenID Provider of an app, in Chromium', () => {
  let s: OpServer;
  let shop: RunningShop;
  let browser: Browser;
  let upstream: TestOp;
  let msp: Tenant;
  let acme: Tenant;
  let tech: User;

  beforeAll(async () => {
    ensureConsoleBuilt();
    s = await startOpServer();
    ({ shop } = await startRegisteredShop(s));
    upstream = await startOp({ path: '/realms/acme' });
    browser = await launchChromium();
    msp = await s.k.aTenant(s.k.root, 'reseller', 'journey-msp');
    acme = await s.k.aTenant(msp, 'consumer', 'journey-acme');
    tech = await s.k.aUserIn(msp, ['CustomerAdvanced'], { login: 'tech', password: TEST_PASSWORD });
    await s.k.anAcceptedShare(tech, acme);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
    await upstream?.close();
    await s?.close();
  });

  /**
   * The shop's sign-in, Kontor's sign-in page, the tenant chooser: back at the shop.
   * `prompt=consent`: oidc-provider drops `offline_access` (no refresh token) without it (OpenID
   * Connect Core §11), and the shop's own link does not ask for it yet.
   */
  async function signInThroughShop(page: Page, chooseTenant: string): Promise<void> {
    await page.goto(`${shop.url}/login?prompt=consent`);
    await seen(page.getByRole('heading', { name: 'Sign in to Kontor' }));
    expect(new URL(page.url()).origin).toBe(s.url);
    await signIn(page, msp.slug, 'tech', TEST_PASSWORD);
    await seen(page.getByRole('heading', { name: 'Choose a tenant' }));
    await page.getByRole('button', { name: new RegExp(`\\(${chooseTenant}\\)`) }).click();
    await atShopProfile(page, shop.url);
  }

  it('signs in, switches tenant silently, refreshes, logs out, and is logged out by back-channel', async () => {
    const { page, errors } = await openPage(browser, `${shop.url}/`);
    await seen(page.getByText('You are not signed in.'));
    await signInThroughShop(page, acme.slug);

    // Back with tokens that name the person, the acting tenant (through a share) and her roles.
    expect(await shopField(page, 'sub')).toBe(tech.id);
    expect(await shopJson(page, 'tenant')).toEqual({ id: acme.id, slug: acme.slug, kind: 'consumer' });
    expect(await shopJson(page, 'home-tenant')).toEqual({ id: msp.id, slug: msp.slug });
    expect(await shopField(page, 'roles')).toBe('CustomerAdvanced');
    expect(await shopField(page, 'tokens')).toContain('refresh token: yes');
    expect(await shopField(page, 'sid')).not.toBe('—');

    // Refresh: the rotated refresh token is kept; the claims still name the tenant.
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await seen(page.getByRole('status').filter({ hasText: 'Tokens refreshed.' }));
    expect(await shopJson(page, 'tenant')).toMatchObject({ slug: acme.slug });
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await seen(page.getByRole('status').filter({ hasText: 'Tokens refreshed.' }));

    // Tenant switch: prompt=none, no page of Kontor's is shown on the way.
    const trail = navigations(page);
    await page.getByLabel('Switch to tenant (slug)').fill(msp.slug);
    await page.getByRole('button', { name: 'Switch' }).click();
    await eventually(async () => (await shopField(page, 'tenant').catch(() => '')).includes(msp.id));
    expect(await shopJson(page, 'tenant')).toEqual({ id: msp.id, slug: msp.slug, kind: 'reseller' });
    expect(await shopJson(page, 'home-tenant')).toBeUndefined();
    const atKontor = trail.filter((u) => u.startsWith(s.url));
    expect(atKontor.map((u) => new URL(u).pathname)).toEqual(['/oidc/auth']);
    expect(new URL(atKontor[0] ?? s.url).searchParams.get('prompt')).toBe('none');

    // RP-initiated logout: Kontor asks, then sends the browser back to the shop.
    await page.getByRole('button', { name: 'Log out' }).click();
    await seen(page.getByRole('heading', { name: 'Sign out' }));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${shop.url}/`);
    await seen(page.getByText('You are not signed in.'));

    // Back-channel logout: signed in again, then locked through the API; the shop's session
    // ends without the browser doing anything.
    await page.goto(`${shop.url}/login?prompt=consent`);
    const chooser = page.getByRole('heading', { name: 'Choose a tenant' });
    const form = page.getByRole('heading', { name: 'Sign in to Kontor' });
    await seen(chooser.or(form));
    // RP-initiated logout ends the OP's session; whether Kontor's own session (the console's)
    // outlives it decides if the password is asked again. Either way the chooser comes next.
    if (await form.isVisible()) await signIn(page, msp.slug, 'tech', TEST_PASSWORD);
    await seen(chooser);
    await page.getByRole('button', { name: new RegExp(`\\(${msp.slug}\\)`) }).click();
    await atShopProfile(page, shop.url);
    const admin = await apiAdmin(s, msp);
    const locked = await admin.call('POST', `/api/v1/users/${tech.id}/lock`);
    expect(locked.statusCode, locked.body).toBe(200);
    await eventually(async () => {
      await page.reload();
      return page.getByText('You are not signed in.').isVisible();
    });
    // …because Kontor's worker delivered the logout token (the shop answered 200), nothing else.
    const sent = await s.k.db.kysely
      .selectFrom('outbox')
      .select(['sent_at', 'last_error'])
      .where('topic', '=', OIDC_LOGOUT_TOPIC)
      .execute();
    expect(sent.filter((o) => o.sent_at !== null && o.last_error === null).length).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('signs in through the tenant’s upstream SSO (a real oidc-provider) and comes back to the app', async () => {
    const t = await s.k.aTenant(s.k.root, 'consumer', 'journey-sso');
    const admin = await apiAdmin(s, t);
    const clientSecret = `upstream-${Date.now()}`;
    const made = await admin.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, {
      name: 'Acme Keycloak',
      issuer: upstream.issuer,
      clientId: 'kontor',
      clientSecret,
    });
    expect(made.statusCode, made.body).toBe(201);
    const conn = made.json() as { id: string; redirectUri: string };
    upstream.addClient({ clientId: 'kontor', clientSecret, redirectUri: conn.redirectUri });
    const ada = await s.k.aUserIn(t, ['CustomerBasic'], { login: 'ada' });
    const linked = await admin.call('POST', `/api/v1/tenants/${t.id}/users/${ada.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'ada-at-acme',
    });
    expect(linked.statusCode, linked.body).toBe(201);
    upstream.loginAs('ada-at-acme', { email: 'ada@acme.example', email_verified: true, name: 'Ada' });

    const { page, errors } = await openPage(browser, `${shop.url}/`);
    const trail = navigations(page);
    await page.goto(`${shop.url}/login?tenant=${t.slug}`);
    await seen(page.getByRole('heading', { name: 'Sign in to Kontor' }));
    await page.getByLabel('Tenant').fill(t.slug);
    // The console offers the tenant's connections once it knows the tenant.
    await page.getByRole('link', { name: 'Acme Keycloak' }).click();
    await atShopProfile(page, shop.url);
    expect(await shopField(page, 'sub')).toBe(ada.id);
    expect(await shopJson(page, 'tenant')).toEqual({ id: t.id, slug: t.slug, kind: 'consumer' });
    expect(await shopField(page, 'roles')).toBe('CustomerBasic');
    // The way back: Kontor's OP, the console, the upstream provider, Kontor's SSO callback, the app.
    let at = -1;
    const hops = [
      `${s.issuer}/auth`,
      `${s.url}/?return=`,
      `${upstream.issuer}/auth`,
      `${s.url}/api/v1/auth/sso/${conn.id}/callback`,
      `${s.url}/oidc/interaction/`,
      `${shop.url}/callback`,
    ].filter((prefix) => {
      at = trail.findIndex((u, i) => i > at && u.startsWith(prefix));
      return at < 0;
    });
    expect(hops, trail.join('\n')).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('shows refusals in words: a locked SSO account, a suspended tenant at the sign-in', async () => {
    const t = await s.k.aTenant(s.k.root, 'consumer', 'journey-refused');
    const admin = await apiAdmin(s, t);
    const clientSecret = `upstream-refused-${Date.now()}`;
    const made = await admin.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, {
      name: 'Refusing IdP',
      issuer: upstream.issuer,
      clientId: 'kontor-refused',
      clientSecret,
    });
    expect(made.statusCode, made.body).toBe(201);
    const conn = made.json() as { id: string; redirectUri: string };
    upstream.addClient({ clientId: 'kontor-refused', clientSecret, redirectUri: conn.redirectUri });
    const bo = await s.k.aUserIn(t, ['CustomerBasic'], { login: 'bo', password: TEST_PASSWORD });
    await admin.call('POST', `/api/v1/tenants/${t.id}/users/${bo.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'bo-at-idp',
    });
    expect((await admin.call('POST', `/api/v1/users/${bo.id}/lock`)).statusCode).toBe(200);
    upstream.loginAs('bo-at-idp', { name: 'Bo' });

    // Locked, through SSO: Kontor's page says so and leads back; no JSON in the window.
    const { page, errors } = await openPage(browser, `${shop.url}/login?tenant=${t.slug}`);
    await page.getByLabel('Tenant').fill(t.slug);
    await page.getByRole('link', { name: 'Refusing IdP' }).click();
    await seen(page.getByRole('heading', { name: 'Your sign-in was refused' }));
    await seen(page.getByText('Your account in this tenant is locked.'));
    expect(await page.content()).not.toContain('sso.rejected');
    await page.getByRole('link', { name: 'Back to Kontor' }).click();
    await seen(page.getByRole('heading', { name: 'Sign in to Kontor' }));

    // Suspended while signed in to Kontor: the app's sign-in shows the sign-in page (never
    // JSON), and signing in says why it cannot go on.
    const other = await s.k.aTenant(s.k.root, 'consumer', 'journey-suspended');
    await s.k.aUserIn(other, ['CustomerBasic'], { login: 'cy', password: TEST_PASSWORD });
    await page.goto(`${s.url}/`);
    await signIn(page, other.slug, 'cy', TEST_PASSWORD);
    await seen(page.getByRole('navigation', { name: 'Main' }));
    await s.k.deps.store.transaction((r) => r.tenants.update(other.id, { status: 'suspended' }));
    await page.goto(`${shop.url}/login?tenant=${other.slug}`);
    await seen(page.getByRole('heading', { name: 'Sign in to Kontor' }));
    await signIn(page, other.slug, 'cy', TEST_PASSWORD);
    await seen(page.getByRole('alert').filter({ hasText: /suspended/i }));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
