import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AuthSettings } from '../../../src/app/auth/auth-deps.js';
import { createHttpApp, type HttpAppOptions } from '../../../src/compose-http.js';
import type { MailMessage } from '../../../src/domain/auth-ports.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User, UserType } from '../../../src/domain/user.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

/** A clock the test moves by hand: idle and absolute expiry without waiting. */
export interface TestClock {
  now(): Date;
  advance(seconds: number): void;
}

export interface Client {
  user: User;
  tenant: Tenant;
  cookie: string;
  csrf: string;
  /** A request with the session cookie (and the CSRF header on writes unless `csrf: false`). */
  call(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    opts?: { headers?: Record<string, string>; csrf?: boolean },
  ): Promise<LightMyRequestResponse>;
}

export interface HttpKit {
  k: TestKontor;
  app: FastifyInstance;
  clock: TestClock;
  mails: MailMessage[];
  /** A user with a password, signed in through the API. */
  signedIn(t: Tenant, roles: string[], opts?: { type?: UserType; login?: string }): Promise<Client>;
  login(
    t: Tenant,
    username: string,
    password?: string,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  clientFor(res: LightMyRequestResponse, user: User, t: Tenant): Client;
  close(): Promise<void>;
}

export const sessionCookieOf = (res: LightMyRequestResponse): string | undefined =>
  res.cookies.find((c) => c.name === 'kontor_session')?.value;

export async function httpKit(
  settings: Partial<AuthSettings> = {},
  opts: {
    kontor?: Parameters<typeof testKontor>[0];
    logger?: boolean | object;
  } & Pick<HttpAppOptions, 'webhookPollMs' | 'webhookOutbound' | 'onWebhooks'> = {},
): Promise<HttpKit> {
  const k = await testKontor(opts.kontor);
  let t = Date.now();
  const clock: TestClock = {
    now: () => new Date(t),
    advance: (s) => {
      t += s * 1000;
    },
  };
  const mails: MailMessage[] = [];
  const app = await createHttpApp(k, {
    deps: { ...k.deps, clock },
    mail: { send: async (m) => void mails.push(m) },
    logger: opts.logger ?? false,
    settings,
    ...(opts.webhookPollMs !== undefined ? { webhookPollMs: opts.webhookPollMs } : {}),
    ...(opts.webhookOutbound !== undefined ? { webhookOutbound: opts.webhookOutbound } : {}),
    ...(opts.onWebhooks !== undefined ? { onWebhooks: opts.onWebhooks } : {}),
  });
  let n = 0;
  const kit: HttpKit = {
    k,
    app,
    clock,
    mails,
    login: (tenant, username, password = TEST_PASSWORD, headers = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { tenant: tenant.slug, username, password },
        headers,
      }),
    clientFor(res, user, tenant) {
      const cookie = sessionCookieOf(res);
      if (res.statusCode !== 200 || !cookie) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      const csrf = res.json().csrfToken as string;
      return {
        user,
        tenant,
        cookie,
        csrf,
        call(method, url, body, opts = {}) {
          const write = method !== 'GET' && method !== 'HEAD';
          return app.inject({
            method,
            url,
            ...(body !== undefined ? { payload: body as object } : {}),
            cookies: { kontor_session: cookie },
            headers: { ...(write && opts.csrf !== false ? { 'x-csrf-token': csrf } : {}), ...opts.headers },
          });
        },
      };
    },
    async signedIn(tenant, roles, opts = {}) {
      const login = opts.login ?? `http-user-${++n}`;
      const user = await k.aUserIn(tenant, roles, {
        password: TEST_PASSWORD,
        login,
        ...(opts.type ? { type: opts.type } : {}),
      });
      return kit.clientFor(await kit.login(tenant, login), user, tenant);
    },
    async close() {
      await app.close();
      await k.close();
    },
  };
  return kit;
}

/** Asserts an RFC 9457 answer and returns its body. */
export function problem(res: LightMyRequestResponse, status: number, code?: string): Record<string, unknown> {
  if (res.statusCode !== status || !String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(
      `expected problem ${status} ${code ?? ''}, got ${res.statusCode} ${res.headers['content-type']}: ${res.body}`,
    );
  }
  const body = res.json();
  if (code && body.code !== code) throw new Error(`expected code ${code}, got ${body.code}: ${res.body}`);
  return body;
}
