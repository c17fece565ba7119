import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { wantsHtml } from '../../../src/http/plugins/browser-pages.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { authorize, Browser as OpBrowser, type OpKit, opKit } from '../oidc/op-kit.js';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

// Issue 15 #3: a person whose external sign-in is refused reads why, on a page with a way
// back; an API client still gets problem+json.
const CHROMIUM_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

let kit: SsoKit;
let op: TestOp;
let t: Tenant;
let admin: Admin;
let n = 0;

beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/refusals' });
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

const startUrl = (connId: string, tenant: Tenant = t) => `/api/v1/auth/sso/${connId}/start?tenant=${tenant.slug}`;

/** Delivers `url` to Kontor from `b`'s cookie jar with this Accept header. */
function deliver(b: Browser, url: string, accept?: string): Promise<LightMyRequestResponse> {
  return kit.app.inject({
    method: 'GET',
    url,
    cookies: Object.fromEntries(b.kontor),
    headers: accept ? { accept } : {},
  });
}

/** A flow up to the callback for `subject`, not yet delivered. */
async function toCallback(connId: string, subject: string, tenant: Tenant = t) {
  op.loginAs(subject);
  const b = new Browser(kit.app);
  return { b, cb: await b.toCallback(startUrl(connId, tenant)) };
}

async function linkedUser(connId: string, subject: string, tenant = t, a = admin) {
  const user = await kit.k.aUserIn(tenant, ['CustomerBasic']);
  const res = await a.call('POST', `/api/v1/tenants/${tenant.id}/users/${user.id}/sso-links`, {
    connectionId: connId,
    subject,
  });
  expect(res.statusCode, res.body).toBe(201);
  return user;
}

function expectPage(res: LightMyRequestResponse, status: number, words: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toMatch(/^<!DOCTYPE html>/);
  expect(res.body).toMatch(words);
  expect(res.body).toContain('<a href="/">Back to Kontor</a>');
  // Neither raw JSON nor the machine reason.
  expect(res.body).not.toMatch(/"code"|sso\.rejected|urn:kontor/);
}

describe('a refused SSO sign-in in a browser', () => {
  it('names a locked account in words; the same refusal is problem+json for an API client', async () => {
    const conn = await kit.connect(admin, t, op);
    const subject = `locked-${++n}`;
    const user = await linkedUser(conn.id, subject);
    await kit.k.deps.store.transaction((r) => r.users.update(t.id, user.id, { state: 'locked' }, new Date()));
    const seen = await toCallback(conn.id, subject);
    const page = await deliver(seen.b, seen.cb, CHROMIUM_ACCEPT);
    expectPage(page, 401, /Your account in this tenant is locked\./);
    expect(page.body).not.toContain('user_locked');

    for (const accept of [undefined, '*/*', 'application/json', 'application/problem+json, text/html;q=0.5']) {
      const api = await toCallback(conn.id, subject);
      const res = await deliver(api.b, api.cb, accept);
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'sso.rejected' });
      expect(res.body).not.toContain('locked');
    }
  });

  it('names a disabled account', async () => {
    const conn = await kit.connect(admin, t, op);
    const subject = `disabled-${++n}`;
    const user = await linkedUser(conn.id, subject);
    await kit.k.deps.store.transaction((r) => r.users.update(t.id, user.id, { state: 'disabled' }, new Date()));
    const { b, cb } = await toCallback(conn.id, subject);
    expectPage(await deliver(b, cb, CHROMIUM_ACCEPT), 401, /Your account in this tenant is disabled\./);
  });

  it('says when no account of the tenant belongs to the identity', async () => {
    const conn = await kit.connect(admin, t, op);
    const { b, cb } = await toCallback(conn.id, `stranger-${++n}`);
    expectPage(
      await deliver(b, cb, CHROMIUM_ACCEPT),
      401,
      /no account in this tenant belongs to that identity\.<\/p>\s*<p>Ask an administrator of the tenant to link/,
    );
  });

  it('says when the tenant was suspended between start and callback', async () => {
    const s = await kit.k.aTenant(kit.k.root, 'reseller');
    const sAdmin = await kit.admin(s);
    const conn = await kit.connect(sAdmin, s, op);
    const subject = `susp-${++n}`;
    await linkedUser(conn.id, subject, s, sAdmin);
    const { b, cb } = await toCallback(conn.id, subject, s);
    await kit.k.deps.store.transaction((r) => r.tenants.update(s.id, { status: 'suspended' }));
    expectPage(await deliver(b, cb, CHROMIUM_ACCEPT), 401, /This tenant is suspended/);
  });

  it('says a connection gives no access when it was switched off before the start', async () => {
    const conn = await kit.connect(admin, t, op);
    const off = await admin.call('PATCH', `/api/v1/tenants/${t.id}/sso-connections/${conn.id}`, { enabled: false });
    expect(off.statusCode).toBe(200);
    const res = await deliver(new Browser(kit.app), startUrl(conn.id), CHROMIUM_ACCEPT);
    expectPage(res, 401, /gives no access to this tenant/);
  });

  it('keeps a foreign or replayed answer generic: nothing about the account', async () => {
    const conn = await kit.connect(admin, t, op);
    const subject = `replay-${++n}`;
    const user = await linkedUser(conn.id, subject);
    await kit.k.deps.store.transaction((r) => r.users.update(t.id, user.id, { state: 'locked' }, new Date()));
    const { cb } = await toCallback(conn.id, subject);
    // Delivered in another browser (a login CSRF): that browser learns nothing about the user.
    const res = await deliver(new Browser(kit.app), cb, CHROMIUM_ACCEPT);
    expectPage(res, 401, /does not belong to a sign-in started in this browser/);
    expect(res.body).not.toMatch(/locked|disabled|no account/);
  });

  it('shows a refused return address as a page too, its detail escaped', async () => {
    const conn = await kit.connect(admin, t, op);
    const res = await deliver(
      new Browser(kit.app),
      `${startUrl(conn.id)}&returnTo=${encodeURIComponent('//evil.example/<b>')}`,
      CHROMIUM_ACCEPT,
    );
    expectPage(res, 400, /returnTo must be a path on this server/);
    expect(res.body).not.toContain('<b>');
  });
});

describe('wantsHtml', () => {
  it('is true for a browser navigation and false for API clients', () => {
    expect(wantsHtml(CHROMIUM_ACCEPT)).toBe(true);
    expect(wantsHtml('text/html')).toBe(true);
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('application/json, text/html')).toBe(false);
    expect(wantsHtml('text/html;q=0.5, application/problem+json')).toBe(false);
    expect(wantsHtml('text/html;q=0')).toBe(false);
  });
});

describe('refusals at the OP sign-in of an app', () => {
  let opk: OpKit;
  beforeAll(async () => {
    opk = await opKit();
  });
  afterAll(async () => opk?.close());

  async function signedInApp(state: 'tenant' | 'user') {
    const tenant = await opk.k.aTenant(opk.k.root, 'reseller');
    const login = `op-${++n}`;
    const user = await opk.k.aUserIn(tenant, ['CustomerBasic'], { login, password: TEST_PASSWORD });
    const a = await opk.anApp();
    const config = await opk.rp(a);
    const b = new OpBrowser(opk.op.base);
    await b.signIn(tenant, login);
    await opk.k.deps.store.transaction(async (r) => {
      if (state === 'tenant') await r.tenants.update(tenant.id, { status: 'suspended' });
      else await r.users.update(tenant.id, user.id, { state: 'locked' }, new Date());
    });
    return authorize(config, a, b);
  }

  it('sends a person whose tenant was suspended back to the sign-in, never raw JSON', async () => {
    // The Kontor session still exists but is no longer valid: the sign-in page says why.
    const r = await signedInApp('tenant');
    expect(new URL(r.url).pathname).toBe('/');
    expect(new URL(r.url).searchParams.get('return')).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
    expect(r.res?.status).toBe(200);
    expect(r.res?.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('sends a locked person back to the sign-in as well', async () => {
    const r = await signedInApp('user');
    expect(new URL(r.url).pathname).toBe('/');
    expect(r.res?.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers an expired or foreign interaction with a page', async () => {
    const b = new OpBrowser(opk.op.base);
    const res = await b.fetch('/oidc/interaction/not-a-real-one', { headers: { accept: CHROMIUM_ACCEPT } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('This sign-in has expired');
  });
});
