import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/compose-http.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../fixtures/kontor.js';
import { hasChromium, launchChromium } from './console-kit.js';

/** A free loopback port, so the public URL (and with it the RP ID `localhost`) is known before listening. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

// The browser's side of WebAuthn, as a console would run it: JSON options to ArrayBuffers and back.
const BROWSER_HELPERS = `
  window.b2a = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)), (c) => c.charCodeAt(0)).buffer;
  window.a2b = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  window.api = async (method, path, body, csrf) => {
    const res = await fetch('/api/v1' + path, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
`;

describe.runIf(hasChromium())('passkeys in Chromium with a virtual authenticator (issue 16)', () => {
  let k: TestKontor;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    k = await testKontor();
    const port = await freePort();
    base = `http://localhost:${port}`;
    app = await createHttpApp(k, { logger: false, mail: { send: async () => {} }, settings: { publicUrl: base } });
    await app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await k?.close();
  });

  async function withAuthenticator(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/api/openapi.json`);
    await page.evaluate(BROWSER_HELPERS);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    return { context, page };
  }

  it('enrols a passkey, signs out, and signs in with it alone', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const user = await k.aUserIn(t, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'passkey-person' });
    const { context, page } = await withAuthenticator();
    const result = await page.evaluate(
      async ({ slug, password }) => {
        // biome-ignore lint/suspicious/noExplicitAny: helpers installed on window above
        const w = window as any;
        const login = await w.api('POST', '/auth/login', { tenant: slug, username: 'passkey-person', password });
        const csrf = login.body.csrfToken;
        const o = (await w.api('POST', '/me/mfa/passkeys/options', { currentPassword: password }, csrf)).body;
        const cred = await navigator.credentials.create({
          publicKey: {
            ...o,
            challenge: w.b2a(o.challenge),
            user: { ...o.user, id: w.b2a(o.user.id) },
            excludeCredentials: (o.excludeCredentials ?? []).map((c: { id: string }) => ({ ...c, id: w.b2a(c.id) })),
          },
        });
        const c = cred as PublicKeyCredential;
        const att = c.response as AuthenticatorAttestationResponse;
        const registered = await w.api(
          'POST',
          '/me/mfa/passkeys',
          {
            response: {
              id: c.id,
              rawId: w.a2b(c.rawId),
              type: c.type,
              response: {
                clientDataJSON: w.a2b(att.clientDataJSON),
                attestationObject: w.a2b(att.attestationObject),
                transports: att.getTransports(),
              },
              clientExtensionResults: {},
            },
          },
          csrf,
        );
        await w.api('POST', '/auth/logout', undefined, registered.body.csrfToken);
        const signedOut = (await w.api('GET', '/me')).status;
        const ro = (await w.api('POST', '/auth/passkey/options', { tenant: slug })).body;
        const got = (await navigator.credentials.get({
          publicKey: { ...ro, challenge: w.b2a(ro.challenge), allowCredentials: [] },
        })) as PublicKeyCredential;
        const as = got.response as AuthenticatorAssertionResponse;
        const signedIn = await w.api('POST', '/auth/passkey', {
          tenant: slug,
          response: {
            id: got.id,
            rawId: w.a2b(got.rawId),
            type: got.type,
            response: {
              clientDataJSON: w.a2b(as.clientDataJSON),
              authenticatorData: w.a2b(as.authenticatorData),
              signature: w.a2b(as.signature),
              userHandle: as.userHandle ? w.a2b(as.userHandle) : undefined,
            },
            clientExtensionResults: {},
          },
        });
        const me = await w.api('GET', '/me');
        return { registered: registered.status, signedOut, signedIn: signedIn.status, me: me.body };
      },
      { slug: t.slug, password: TEST_PASSWORD },
    );
    expect(result).toMatchObject({ registered: 201, signedOut: 401, signedIn: 200 });
    expect(result.me.user.id).toBe(user.id);
    expect(result.me.authentication.amr).toEqual(['hwk', 'user']);
    await context.close();
  });
});
