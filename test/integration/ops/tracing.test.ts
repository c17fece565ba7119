import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveConfig } from '../../../src/config/effective-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { installProblems } from '../../../src/http/plugins/problem.js';
import { type HttpKit, httpKit, problem } from '../http/http-kit.js';

// Never contacted: the in-memory exporter replaces OTLP; the endpoint only switches tracing on.
const TRACED = { KONTOR_OTLP_ENDPOINT: 'http://127.0.0.1:9/v1/traces' };

const exporter = new InMemorySpanExporter();
const logLines: Record<string, unknown>[] = [];
let h: HttpKit;
beforeAll(async () => {
  h = await httpKit(
    {},
    {
      kontor: { env: TRACED, compose: { spanExporter: exporter } },
      logger: { level: 'info', stream: { write: (line: string) => void logLines.push(JSON.parse(line)) } },
    },
  );
});
afterAll(async () => h?.close());

async function finished(): Promise<ReadableSpan[]> {
  await h.k.tracing?.flush();
  return exporter.getFinishedSpans();
}

const serverSpanOf = (spans: ReadableSpan[], requestId: unknown): ReadableSpan => {
  const found = spans.filter((s) => s.kind === SpanKind.SERVER && s.attributes['kontor.request_id'] === requestId);
  expect(found, `one server span for request ${String(requestId)}`).toHaveLength(1);
  return found[0] as ReadableSpan;
};

const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] =>
  spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

/** The span and everything under it. */
function treeOf(spans: ReadableSpan[], root: ReadableSpan): ReadableSpan[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(spans, out[i] as ReadableSpan));
  return out;
}

describe('tracing on', () => {
  it('opens a server span named by the route template with child spans for units of work and SQL', async () => {
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced']);
    const res = await admin.call('GET', `/api/v1/users/${admin.user.id}`);
    expect(res.statusCode, res.body).toBe(200);
    const spans = await finished();
    const server = serverSpanOf(spans, res.headers['x-request-id']);
    expect(server.name).toBe('GET /api/v1/users/:id');
    expect(server.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/api/v1/users/:id',
      'http.response.status_code': 200,
      'kontor.request_id': res.headers['x-request-id'],
    });
    const units = childrenOf(spans, server);
    expect(units.length).toBeGreaterThan(0);
    for (const u of units) expect(['store.read', 'store.transaction']).toContain(u.name);
    const statements = units.flatMap((u) => childrenOf(spans, u));
    expect(statements.length).toBeGreaterThanOrEqual(units.length);
    for (const s of statements) {
      expect(s.name).toMatch(/^[A-Z]+$/);
      expect(s.attributes['db.operation.name']).toBe(s.name);
      // Compiled SQL: values are parameters, and parameters are never recorded.
      expect(String(s.attributes['db.query.text'])).not.toContain(admin.user.id);
    }
    expect(statements.map((s) => s.name)).toContain('SELECT');
    // A transaction's statements include its BEGIN and COMMIT.
    const login = await h.login(h.k.root, 'nobody-here', 'wrong password');
    const loginTree = treeOf(await finished(), serverSpanOf(await finished(), login.headers['x-request-id']));
    expect(loginTree[0]?.name).toBe('POST /api/v1/auth/login');
    for (const s of loginTree) expect(s.spanContext().traceId).toBe(loginTree[0]?.spanContext().traceId);
    const transaction = loginTree.find((s) => s.name === 'store.transaction');
    expect(transaction, 'the sign-in counts the failure in a transaction').toBeDefined();
    const inside = childrenOf(loginTree, transaction as ReadableSpan).map((s) => s.name);
    expect(inside[0]).toBe('BEGIN');
    expect(inside).toContain('COMMIT');
  });

  it('continues the trace of an incoming traceparent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
    });
    const spans = await finished();
    const server = serverSpanOf(spans, res.headers['x-request-id']);
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe(parentId);
    expect(server.parentSpanContext?.isRemote).toBe(true);
  });

  it('names the request alike in the answer header, the span and the log line', async () => {
    const path = `/api/v1/nothing/${randomBytes(4).toString('hex')}`;
    const res = await h.app.inject({ method: 'POST', url: path, payload: {} });
    problem(res, 404, 'resource.not_found');
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const server = serverSpanOf(await finished(), requestId);
    // No route matched: the method alone names it, and no path reaches the span.
    expect(server.name).toBe('POST');
    expect(server.attributes['http.route']).toBeUndefined();
    // A GET passes the console's catch-all, which hands an API path to not-found: the same.
    const viaConsole = await h.app.inject({ method: 'GET', url: path });
    const caught = serverSpanOf(await finished(), viaConsole.headers['x-request-id']);
    expect(caught.name).toBe('GET');
    expect(caught.attributes['http.route']).toBeUndefined();
    const lines = logLines.filter((l) => l.reqId === requestId);
    expect(lines.length).toBeGreaterThan(0);
    const completed = lines.find((l) => l.msg === 'request completed');
    expect(completed?.traceId).toBe(server.spanContext().traceId);
  });

  it('carries no tenant name, slug, login name or id in any span after traffic in several tenants', async () => {
    exporter.reset();
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const slug = `trace-leak-${randomBytes(4).toString('hex')}`;
      const t = await h.k.aTenant(h.k.root, 'reseller', slug);
      const name = `Traced Tenant ${randomBytes(4).toString('hex')}`;
      await h.k.db.kysely.updateTable('tenants').set({ name }).where('id', '=', t.id).execute();
      const login = `traced-login-${randomBytes(4).toString('hex')}`;
      const admin = await h.signedIn(t, ['AdministrationAdvanced'], { login });
      await admin.call('GET', `/api/v1/tenants/${t.id}/users`);
      await admin.call('GET', `/api/v1/users/${admin.user.id}`);
      await admin.call('GET', `/api/v1/tenants/${t.id}/users?search=${login}`);
      await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: `${login}-new` });
      await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: `${login}-new` });
      await h.login(t, login, 'not the password at all');
      await h.app.inject({ method: 'GET', url: `/api/v1/nothing/${slug}/${admin.user.id}` });
      secrets.push(slug, name, login, admin.user.id, t.id);
    }
    const spans = await finished();
    expect(spans.filter((s) => s.kind === SpanKind.SERVER).length).toBeGreaterThanOrEqual(21);
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status })));
    for (const s of secrets) expect(text).not.toContain(s);
  });
});

describe('problem answers', () => {
  it('names the request in a 5xx problem only, so that equal refusals stay byte-identical', async () => {
    const app = Fastify({ logger: false, genReqId: () => `req-${randomBytes(4).toString('hex')}` });
    installProblems(app);
    app.get('/boom', async () => {
      throw new Error('broken on purpose');
    });
    try {
      const a = await app.inject({ method: 'GET', url: '/boom' });
      const b = await app.inject({ method: 'GET', url: '/boom' });
      const pa = problem(a, 500, 'internal.error');
      expect(pa.requestId).toMatch(/^req-[0-9a-f]{8}$/);
      expect(problem(b, 500, 'internal.error').requestId).not.toBe(pa.requestId);
      const r1 = await app.inject({ method: 'GET', url: '/nothing' });
      const r2 = await app.inject({ method: 'GET', url: '/nothing' });
      expect(problem(r1, 404).requestId).toBeUndefined();
      expect(r1.body).toBe(r2.body);
    } finally {
      await app.close();
    }
  });
});

describe('OTLP/HTTP export', () => {
  it('sends JSON spans with the configured service name and headers to the collector', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const kit = await httpKit(
      {},
      {
        kontor: {
          env: {
            KONTOR_OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
            KONTOR_OTLP_HEADERS: 'x-collector-key=sesame',
            KONTOR_TRACE_SERVICE_NAME: 'kontor-under-test',
          },
        },
      },
    );
    try {
      const res = await kit.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(200);
      await kit.k.tracing?.flush();
      expect(received.length).toBeGreaterThan(0);
      const first = received[0] as { headers: IncomingHttpHeaders; body: string };
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      expect(first.headers['x-collector-key']).toBe('sesame');
      const spans = received.flatMap(
        (r) =>
          JSON.parse(r.body).resourceSpans.flatMap(
            (rs: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }) =>
              (rs as unknown as { scopeSpans: { spans: { name: string; attributes: unknown[] }[] }[] }).scopeSpans
                .flatMap((ss) => ss.spans)
                .map((s) => ({
                  ...s,
                  service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
                })),
          ) as { name: string; service: string }[],
      );
      const health = spans.find((s) => s.name === 'GET /healthz');
      expect(health?.service).toBe('kontor-under-test');
    } finally {
      await kit.close();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });
});

describe('tracing off', () => {
  it('creates no tracer and records no span by default', async () => {
    const unused = new InMemorySpanExporter();
    const kit = await httpKit({}, { kontor: { compose: { spanExporter: unused } } });
    try {
      expect(kit.k.tracing).toBeUndefined();
      expect(kit.k.config.tracing).toBeUndefined();
      const admin = await kit.signedIn(kit.k.root, ['AdministrationAdvanced']);
      expect((await admin.call('GET', `/api/v1/users/${admin.user.id}`)).statusCode).toBe(200);
      expect(unused.getFinishedSpans()).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  it('samples new traces by the ratio and follows a caller’s sampled flag', async () => {
    const spans = new InMemorySpanExporter();
    const kit = await httpKit(
      {},
      { kontor: { env: { ...TRACED, KONTOR_TRACE_SAMPLE_RATIO: '0' }, compose: { spanExporter: spans } } },
    );
    try {
      await kit.app.inject({ method: 'GET', url: '/healthz' });
      await kit.k.tracing?.flush();
      expect(spans.getFinishedSpans()).toEqual([]);
      const traceId = randomBytes(16).toString('hex');
      await kit.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      await kit.k.tracing?.flush();
      expect(spans.getFinishedSpans().map((s) => s.spanContext().traceId)).toEqual([traceId]);
    } finally {
      await kit.close();
    }
  });
});

describe('configuration', () => {
  it('reads the tracing settings and keeps the export headers out of the effective configuration', () => {
    const config = loadConfig({
      KONTOR_OTLP_ENDPOINT: 'https://collector.example/v1/traces',
      KONTOR_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team=ops',
      KONTOR_TRACE_SAMPLE_RATIO: '0.25',
    });
    expect(config.tracing).toEqual({
      endpoint: 'https://collector.example/v1/traces',
      serviceName: 'kontor',
      sampleRatio: 0.25,
      secretHeaders: { authorization: 'Bearer abc', 'x-team': 'ops' },
    });
    expect(JSON.stringify(effectiveConfig(config))).not.toContain('abc');
    expect(() => loadConfig({ KONTOR_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/KONTOR_OTLP_ENDPOINT/);
    expect(() => loadConfig({ ...TRACED, KONTOR_TRACE_SAMPLE_RATIO: '2' })).toThrow(/KONTOR_TRACE_SAMPLE_RATIO/);
    expect(() => loadConfig({ ...TRACED, KONTOR_OTLP_HEADERS: 'novalue' })).toThrow(/KONTOR_OTLP_HEADERS/);
  });
});
