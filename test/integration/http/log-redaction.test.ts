import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/compose-http.js';
import { redactQuery } from '../../../src/http/plugins/log-serializers.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';
import { ADMIN_ROLES } from './scene.js';

/** Issue 20 #12: query values (SSO code and state, SCIM filters, searches) never reach the log. */

let k: TestKontor;
let app: FastifyInstance;
let log = '';

beforeAll(async () => {
  k = await testKontor();
  const stream = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  app = await createHttpApp(k, { logger: { level: 'info', stream } });
});
afterAll(async () => {
  await app?.close();
  await k?.close();
});

describe('request log', () => {
  it('logs paths and parameter names, never query values', async () => {
    await k.aUserIn(k.root, ADMIN_ROLES, { password: TEST_PASSWORD, login: 'redact-admin' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: k.root.slug, username: 'redact-admin', password: TEST_PASSWORD },
    });
    const cookie = login.cookies.find((c) => c.name === 'kontor_session')?.value ?? '';
    await app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/${randomUUID()}/callback?code=SECRET-CODE-4711&state=SECRET-STATE-0815`,
    });
    await app.inject({
      method: 'GET',
      url: `/scim/v2/Users?filter=${encodeURIComponent('userName eq "ann.secret@example.com"')}`,
      headers: { authorization: 'Bearer nope' },
    });
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/tenants/${k.root.id}/users?q=bob.secret%40example.com&limit=5`,
      cookies: { kontor_session: cookie },
    });
    expect(list.statusCode).toBe(200);

    const records = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { req?: { url?: string } });
    const urls = records.map((r) => r.req?.url).filter((u) => u !== undefined);
    expect(urls).toContain(`/api/v1/tenants/${k.root.id}/users?q=_&limit=_`);
    expect(urls.some((u) => u.includes('/callback?code=_&state=_'))).toBe(true);
    for (const secret of ['SECRET-CODE-4711', 'SECRET-STATE-0815', 'ann.secret', 'bob.secret', 'code=SECRET']) {
      expect(log).not.toContain(secret);
    }
  });

  it('reduces a query to harmless parameter names', () => {
    expect(redactQuery('/a')).toBe('/a');
    expect(redactQuery('/a?x=1&&flag&b%22c=2')).toBe('/a?x=_&flag=_&b22c=_');
  });
});
