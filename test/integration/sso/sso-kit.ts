import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AuthSettings } from '../../../src/app/auth/auth-deps.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import type { OutboundPolicy } from '../../../src/sso/outbound-guard.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';
import type { TestOp } from './op.js';

export interface Admin {
  user: User;
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

export interface SsoKit {
  k: TestKontor;
  app: FastifyInstance;
  logs: string[];
  admin(t: Tenant): Promise<Admin>;
  /** Creates a connection through the API and registers its redirect URI at the provider. */
  connect(a: Admin, t: Tenant, op: TestOp, body?: Record<string, unknown>, idTokenAlg?: string): Promise<Conn>;
  close(): Promise<void>;
}

export interface Conn {
  id: string;
  clientSecret: string;
}

let n = 0;

export interface SsoKitOptions {
  /** Kontor's clock (default: the real one). */
  clock?: { now(): Date };
  settings?: Partial<AuthSettings>;
  /** The outbound policy (default: the test configuration's, which allows loopback). */
  outbound?: OutboundPolicy;
}

/** A Kontor on the test database whose relying party may talk plain http to 127.0.0.1 providers. */
export async function ssoKit(opts: SsoKitOptions = {}): Promise<SsoKit> {
  const k = await testKontor();
  const logs: string[] = [];
  const stream = { write: (line: string) => void logs.push(line) };
  const app = await createHttpApp(k, {
    logger: { level: 'trace', stream },
    ssoAllowInsecureHttp: true,
    ...(opts.clock ? { deps: { ...k.deps, clock: opts.clock } } : {}),
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.outbound ? { outbound: opts.outbound } : {}),
  });
  const kit: SsoKit = {
    k,
    app,
    logs,
    async admin(t) {
      const login = `sso-admin-${++n}`;
      const user = await k.aUserIn(t, ['AdministrationAdvanced', 'AdministrationBasic'], {
        login,
        password: TEST_PASSWORD,
      });
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: t.slug, username: login, password: TEST_PASSWORD },
      });
      const cookie = res.cookies.find((c) => c.name === 'kontor_session')?.value;
      if (res.statusCode !== 200 || !cookie) throw new Error(`admin login failed: ${res.body}`);
      const csrf = res.json().csrfToken as string;
      return {
        user,
        call: (method, url, body) =>
          app.inject({
            method,
            url,
            ...(body !== undefined ? { payload: body as object } : {}),
            cookies: { kontor_session: cookie },
            headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
          }),
      };
    },
    async connect(a, t, op, body = {}, idTokenAlg) {
      const clientId = `client-${++n}`;
      const clientSecret = `s3cret-${n}-${Math.random().toString(36).slice(2)}`;
      const res = await a.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, {
        name: `IdP ${n}`,
        issuer: op.issuer,
        clientId,
        clientSecret,
        ...body,
      });
      if (res.statusCode !== 201) throw new Error(`connection: ${res.statusCode} ${res.body}`);
      const c = res.json();
      op.addClient({ clientId, clientSecret, redirectUri: c.redirectUri, ...(idTokenAlg ? { idTokenAlg } : {}) });
      return { id: c.id, clientSecret };
    },
    async close() {
      await app.close();
      await k.close();
    },
  };
  return kit;
}
