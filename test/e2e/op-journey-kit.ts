import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Page } from 'playwright-core';
import { createHttpApp } from '../../src/compose-http.js';
import type { OidcWiring } from '../../src/compose-oidc.js';
import type { App } from '../../src/domain/apps.js';
import type { Tenant } from '../../src/domain/tenant.js';
import { sha256 } from '../../src/storage/sha256.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../fixtures/kontor.js';
import { type RunningShop, startShop } from '../integration/example/shop-kit.js';
import { freePort } from '../integration/oidc/op-kit.js';
import { seen } from './console-kit.js';

/**
 * Kontor with its OpenID Provider on a real loopback port, the built console, and the outbox
 * worker running on a short interval: back-channel logouts go out on their own, as in production.
 */
export interface OpServer {
  k: TestKontor;
  app: FastifyInstance;
  url: string;
  issuer: string;
  oidc: OidcWiring;
  close(): Promise<void>;
}

export async function startOpServer(): Promise<OpServer> {
  const k = await testKontor();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let oidc: OidcWiring | undefined;
  const app = await createHttpApp(
    { ...k, config: { ...k.config, publicUrl: url } },
    {
      logger: false,
      mail: { send: async () => undefined },
      mailIntervalMs: 100,
      oidcKeyCheckMs: 0,
      // The upstream test OP speaks plain http on 127.0.0.1.
      ssoAllowInsecureHttp: true,
      onOidc: (w) => (oidc = w),
    },
  );
  await app.listen({ port, host: '127.0.0.1' });
  if (!oidc) throw new Error('the server wired no OP');
  return {
    k,
    app,
    url,
    issuer: `${url}/oidc`,
    oidc,
    async close() {
      await app.close();
      await k.close();
    },
  };
}

/**
 * examples/shop registered in Kontor as a first-party confidential app (as `kontor apps add`
 * would register it), then started on the port its URIs name.
 */
export async function startRegisteredShop(s: OpServer): Promise<{ shop: RunningShop; app: App }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secret = randomBytes(32).toString('base64url');
  const now = new Date();
  const app = await s.k.deps.store.transaction((r) =>
    r.apps.insert({
      id: `app_shop_${randomBytes(4).toString('hex')}`,
      tenantId: null,
      name: 'Example shop',
      kind: 'confidential',
      authMethod: 'client_secret_basic',
      secretHash: sha256(secret),
      jwks: null,
      redirectUris: [`${base}/callback`],
      postLogoutRedirectUris: [`${base}/`],
      backchannelLogoutUri: `${base}/backchannel-logout`,
      scopes: ['openid', 'profile', 'email', 'offline_access', 'kontor.tenant', 'kontor.permissions'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      firstParty: true,
      enabled: true,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
  const shop = await startShop({
    KONTOR_ISSUER: s.issuer,
    SHOP_CLIENT_ID: app.id,
    SHOP_CLIENT_SECRET: secret,
    SHOP_PORT: String(port),
  });
  return { shop, app };
}

/** An administrator of `t` calling the API through inject (the test's hands, not the browser's). */
export interface ApiAdmin {
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

let admins = 0;

export async function apiAdmin(s: OpServer, t: Tenant): Promise<ApiAdmin> {
  const login = `journey-admin-${++admins}`;
  await s.k.aUserIn(t, ['AdministrationBasic', 'AdministrationAdvanced'], { login, password: TEST_PASSWORD });
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { tenant: t.slug, username: login, password: TEST_PASSWORD },
  });
  const cookie = res.cookies.find((c) => c.name === 'kontor_session')?.value;
  if (res.statusCode !== 200 || !cookie) throw new Error(`admin sign-in failed: ${res.statusCode} ${res.body}`);
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return {
    call: (method, url, body) =>
      s.app.inject({
        method,
        url,
        ...(body !== undefined ? { payload: body as object } : {}),
        cookies: { kontor_session: cookie },
        headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
      }),
  };
}

/** The text of the shop's element with this id (the shop renders one value per id). */
export async function shopField(page: Page, id: string): Promise<string> {
  return ((await page.locator(`#${id}`).textContent()) ?? '').trim();
}

export async function shopJson(page: Page, id: string): Promise<unknown> {
  const text = await shopField(page, id);
  return text === '—' ? undefined : JSON.parse(text);
}

/** Waits until the shop shows a signed-in profile (its "Signed in through Kontor" line). */
export async function atShopProfile(page: Page, shopUrl: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(`${shopUrl}/`));
  await seen(page.getByText('Signed in through Kontor as'));
}

/**
 * Polls `probe` until it holds or `ms` pass: for a change that happens in another process (the
 * shop receiving a back-channel logout), where there is nothing to await but the outcome.
 */
export async function eventually(probe: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/**
 * Every URL the page navigated through from now on, redirects included (each hop is a request
 * of its own), in order: to show which parties a step went through, and that it showed nothing.
 */
export function navigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) urls.push(r.url());
  });
  return urls;
}
