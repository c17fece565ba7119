import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import type { Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { OidcWiring } from '../../../src/compose-oidc.js';
import type { App, AppGrantType } from '../../../src/domain/apps.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

/** A port free right now on 127.0.0.1 (the OP's issuer must name it before the server starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export interface RegisteredApp {
  app: App;
  secret: string | undefined;
  redirectUri: string;
}

export interface OpInstance {
  app: FastifyInstance;
  base: string;
  issuer: string;
  oidc: OidcWiring;
  close(): Promise<void>;
}

/**
 * A Kontor HTTP server listening on 127.0.0.1 with its OP under /oidc. `publicUrl`: another
 * instance's (two instances behind one address); `secretKey`: shared by instances of one install.
 */
export async function startInstance(
  k: Kontor,
  opts: { publicUrl?: string; secretKey?: Buffer } = {},
): Promise<OpInstance> {
  const p = await freePort();
  const own = `http://127.0.0.1:${p}`;
  const base = opts.publicUrl ?? own;
  let oidc: OidcWiring | undefined;
  const config = { ...k.config, publicUrl: base, ...(opts.secretKey ? { secretKey: opts.secretKey } : {}) };
  const app = await createHttpApp(
    { ...k, config },
    { logger: false, mailIntervalMs: 0, oidcKeyCheckMs: 0, onOidc: (w) => (oidc = w) },
  );
  await app.listen({ port: p, host: '127.0.0.1' });
  if (!oidc) throw new Error('no OP');
  return { app, base: own, issuer: `${base}/oidc`, oidc, close: () => app.close() };
}

export interface OpKit {
  k: TestKontor;
  op: OpInstance;
  /** Registers an app directly (h/apps builds the management API). */
  anApp(opts?: Partial<App> & { grantTypes?: AppGrantType[] }): Promise<RegisteredApp>;
  /** openid-client's configuration for an app (plain http to 127.0.0.1 allowed). */
  rp(a: RegisteredApp, issuer?: string): Promise<client.Configuration>;
  close(): Promise<void>;
}

export async function opKit(k?: TestKontor): Promise<OpKit> {
  const kontor = k ?? (await testKontor());
  const op = await startInstance(kontor);
  let n = 0;
  return {
    k: kontor,
    op,
    async anApp(opts = {}) {
      const kind = opts.kind ?? 'confidential';
      const secret = kind === 'confidential' ? randomBytes(32).toString('base64url') : undefined;
      const redirectUri = opts.redirectUris?.[0] ?? `http://127.0.0.1:9${String(++n).padStart(3, '0')}/callback`;
      const now = new Date();
      const app = await kontor.deps.store.transaction((r) =>
        r.apps.insert({
          id: `app-${randomUUID().slice(0, 8)}`,
          tenantId: null,
          name: `App ${n}`,
          kind,
          authMethod: kind === 'public' ? 'none' : 'client_secret_basic',
          secretHash: secret ? sha256(secret) : null,
          jwks: null,
          redirectUris: [redirectUri],
          postLogoutRedirectUris: [],
          backchannelLogoutUri: null,
          scopes: ['openid', 'profile', 'email', 'offline_access', 'kontor.tenant', 'kontor.permissions'],
          grantTypes: ['authorization_code', 'refresh_token'],
          firstParty: true,
          enabled: true,
          createdBy: null,
          createdAt: now,
          updatedAt: now,
          ...opts,
        }),
      );
      return { app, secret, redirectUri };
    },
    async rp(a, issuer = op.issuer) {
      const auth =
        a.app.kind === 'public'
          ? client.None()
          : a.app.authMethod === 'client_secret_post'
            ? client.ClientSecretPost(a.secret)
            : client.ClientSecretBasic(a.secret);
      return client.discovery(new URL(issuer), a.app.id, { redirect_uris: [a.redirectUri] }, auth, {
        execute: [client.allowInsecureRequests],
      });
    },
    async close() {
      await op.close();
      await kontor.close();
    },
  };
}

/** A browser: a cookie jar (names only: every path gets every cookie) and manual redirects. */
export class Browser {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(new URL(url, this.base), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    this.keep(res);
    return res;
  }

  /** Signs in to Kontor like the console does; returns the CSRF token. */
  async signIn(t: Tenant, username: string, password = TEST_PASSWORD): Promise<string> {
    const res = await this.fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: t.slug, username, password }),
    });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    return this.csrf;
  }

  csrf = '';

  /**
   * Follows redirects from `url` until one leaves for `stopAt` (the app's redirect URI) or a
   * page answers; returns that last URL and answer.
   */
  async follow(url: string, stopAt: string): Promise<{ url: string; res: Response | undefined }> {
    let next = url;
    for (let i = 0; i < 20; i++) {
      if (next.startsWith(stopAt)) return { url: next, res: undefined };
      const res = await this.fetch(next);
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !loc) return { url: next, res };
      next = new URL(loc, next).href;
    }
    throw new Error('too many redirects');
  }
}

export interface AuthorizeResult {
  /** Where the OP sent the browser last (the app's callback with code or error, or a page). */
  url: string;
  res: Response | undefined;
  verifier: string;
  state: string;
  nonce: string;
}

/** Starts an authorization request for `a` in `browser` and follows it. */
export async function authorize(
  config: client.Configuration,
  a: RegisteredApp,
  browser: Browser,
  params: Record<string, string> = {},
): Promise<AuthorizeResult> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: a.redirectUri,
    scope: 'openid profile email kontor.tenant kontor.permissions offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...params,
  });
  const out = await browser.follow(url.href, a.redirectUri);
  return { ...out, verifier, state, nonce };
}

/** The code exchange, checking state, nonce and PKCE as an app does. */
export function redeem(config: client.Configuration, r: AuthorizeResult) {
  return client.authorizationCodeGrant(config, new URL(r.url), {
    pkceCodeVerifier: r.verifier,
    expectedState: r.state,
    expectedNonce: r.nonce,
  });
}
