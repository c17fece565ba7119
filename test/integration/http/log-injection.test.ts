import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../src/app/audit-log.js';
import { createHttpApp } from '../../../src/compose-http.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';
import { ADMIN_ROLES } from './scene.js';

/**
 * Log and audit injection: strings that would forge a log line or a record (CR/LF, JSON-breaking
 * quotes, ANSI escapes, the Unicode line separators) sent in user-controlled fields must come out
 * of the pino log as one valid JSON record per line, and into the activity log as data.
 */

const HOSTILE = [
  'cr\rlf\nforged {"level":60,"msg":"forged"}',
  'quote"},"level":60,"msg":"forged',
  'ansi\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  'sep\u2028line\u2029para',
  'back\\slash\\u0000 and \u0000 nul',
  'bidi\u202etxt.exe\u200b',
];

let k: TestKontor;
let app: FastifyInstance;
let log = '';
let cookie: string;
let csrf: string;

beforeAll(async () => {
  k = await testKontor();
  const stream = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  app = await createHttpApp(k, { logger: { level: 'info', stream } });
  await k.aUserIn(k.root, ADMIN_ROLES, { password: TEST_PASSWORD, login: 'log-admin' });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { tenant: k.root.slug, username: 'log-admin', password: TEST_PASSWORD },
  });
  cookie = res.cookies.find((c) => c.name === 'kontor_session')?.value ?? '';
  csrf = res.json().csrfToken;
});
afterAll(async () => {
  await app?.close();
  await k?.close();
});

const send = (o: InjectOptions, evil: string) =>
  app.inject({
    ...o,
    cookies: { kontor_session: cookie },
    headers: {
      'x-csrf-token': csrf,
      'user-agent': evil,
      'x-request-id': evil,
      'x-forwarded-for': evil,
      referer: evil,
      ...(o.headers as Record<string, string>),
    },
  });

describe('hostile strings in logs and the activity log', () => {
  it('keeps every log record one valid JSON line, with the hostile text as data', async () => {
    for (const [i, evil] of HOSTILE.entries()) {
      const login = await send(
        {
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { tenant: k.root.slug, username: evil, password: evil },
        },
        evil,
      );
      expect([400, 401]).toContain(login.statusCode);
      // Login names refuse such characters (400); company and tenant names are free text.
      await send(
        {
          method: 'POST',
          url: `/api/v1/tenants/${k.root.id}/users`,
          payload: { loginName: `evil-${i}-${evil}`, displayName: evil, roles: ['CustomerBasic'] },
        },
        evil,
      );
      const company = await send(
        { method: 'POST', url: `/api/v1/tenants/${k.root.id}/companies`, payload: { name: `${i} ${evil}` } },
        evil,
      );
      // PostgreSQL text cannot hold NUL: refused as input (400), never a 500.
      const stored = !evil.includes('\u0000');
      expect(company.statusCode, company.body).toBe(stored ? 201 : 400);
      const child = await send(
        {
          method: 'POST',
          url: `/api/v1/tenants/${k.root.id}/children`,
          payload: { kind: 'consumer', name: evil, slug: `evil-${i}` },
        },
        evil,
      );
      expect(child.statusCode, child.body).toBe(stored ? 201 : 400);
      // The raw text in the URL (inject does not encode it) and a query that fails validation.
      await send({ method: 'GET', url: `/api/v1/tenants/${k.root.id}/users?q=${evil}&limit=${evil}` }, evil);
    }
    // Whatever else may carry client text into a record (error objects, SQL parameters).
    for (const evil of HOSTILE) app.log.warn({ userAgent: evil, err: new Error(evil), [evil]: evil }, evil);
    const records = log.split('\n').filter((l) => l.length > 0);
    expect(records.length).toBeGreaterThan(HOSTILE.length * 4);
    for (const line of records) {
      // A reader splitting on any line terminator or rendering escapes sees nothing but this line.
      for (const raw of ['\r', '\u2028', '\u2029', '\u001b', '\u0000']) expect(line).not.toContain(raw);
      const rec = JSON.parse(line);
      expect(typeof rec.level).toBe('number');
      expect(rec.msg).not.toBe('forged');
      // The server's own request id, never the client's.
      if (rec.reqId !== undefined) expect(rec.reqId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const warned = records.map((l) => JSON.parse(l)).filter((r) => r.level === 40 && r.userAgent !== undefined);
    expect(warned.map((r) => [r.msg, r.userAgent, r.err.message])).toEqual(HOSTILE.map((e) => [e, e, e]));
    // The request log keeps a query's parameter names, never its values (issue 20 #12), so the
    // hostile text sent in the query reaches the log only where the code logged it as data above.
    const urls = records.map((l) => JSON.parse(l).req?.url).filter(Boolean) as string[];
    expect(urls.some((u) => u.includes('/users?'))).toBe(true);
    expect(urls.some((u) => decodeURIComponent(u).includes(HOSTILE[1] as string))).toBe(false);
    expect(log).not.toContain(TEST_PASSWORD);
  });

  it('stores hostile names in the activity log as data, and the hash chain still verifies', async () => {
    const res = await send({ method: 'GET', url: `/api/v1/tenants/${k.root.id}/audit?limit=500` }, 'x');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { action: string; details: Record<string, unknown>; requestId: string }[];
    for (const [i, evil] of HOSTILE.entries()) {
      if (evil.includes('\u0000')) continue;
      // Exactly the text sent, in one event: stored and returned as data, not interpreted.
      const created = items.filter((e) => e.action === 'company.created' && e.details.name === `${i} ${evil}`);
      expect(created, `company.created for hostile name ${i}`).toHaveLength(1);
      expect(created[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(items.some((e) => String(e.details.loginName ?? '').startsWith('evil-'))).toBe(false);
    const report = await k.deps.store.read((r) => verifyAudit(r, k.root.id, sha256));
    expect(report.problems).toEqual([]);
  });
});
