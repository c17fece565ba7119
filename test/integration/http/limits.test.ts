import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/compose-http.js';
import type { Config } from '../../../src/config/load-config.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

/**
 * Limits against slow and oversized clients, on a real socket (inject() has no timeouts): the
 * limits are configured small here so the test stays short; production defaults are in README.
 */
const LIMITS: Config['http'] = {
  headersTimeoutMs: 800,
  requestTimeoutMs: 1500,
  idleTimeoutMs: 5000,
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 2048,
  maxRequestsPerSocket: 0,
  idempotencyLeaseSeconds: 60,
};

let k: TestKontor;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  k = await testKontor();
  app = await createHttpApp({ ...k, config: { ...k.config, http: LIMITS } }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
afterAll(async () => {
  await app?.close();
  await k?.close();
});

interface Outcome {
  /** What the server wrote before it closed the socket. */
  received: string;
  /** Milliseconds from connecting until the server closed. */
  closedAfter: number;
}

/**
 * Opens a socket and feeds it `parts`, one every `everyMs`, until the server closes it (or
 * `giveUpMs` passes: then closedAfter is Infinity).
 */
function trickle(parts: string[], everyMs: number, giveUpMs = 6000): Promise<Outcome> {
  return new Promise((resolve) => {
    const start = Date.now();
    const s: Socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedAfter: number) => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      s.destroy();
      resolve({ received, closedAfter });
    };
    const giveUp = setTimeout(() => finish(Number.POSITIVE_INFINITY), giveUpMs);
    s.on('data', (d) => {
      received += d.toString();
    });
    s.on('error', () => {});
    s.on('close', () => finish(Date.now() - start));
    let i = 0;
    const next = () => {
      if (s.destroyed) return;
      const part = parts[i++];
      if (part === undefined) return;
      s.write(part);
      timer = setTimeout(next, everyMs);
    };
    s.on('connect', next);
  });
}

const head = (extra = '') => `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}`;

describe('limits against slow and oversized clients', () => {
  it('cuts off a client that sends its headers byte by byte once the head timeout passes', async () => {
    const bytes = [...head('Content-Type: application/json\r\nX-Slow: ')].concat(Array(200).fill('a'));
    const o = await trickle(bytes, 50);
    expect(o.closedAfter).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs * 0.9);
    expect(o.closedAfter).toBeLessThan(LIMITS.headersTimeoutMs + 1500);
    if (o.received) expect(o.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that sends its body too slowly once the request timeout passes', async () => {
    const body = JSON.stringify({ tenant: 'provider', username: 'admin', password: 'x'.repeat(40) });
    const parts = [head(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), ...body];
    const o = await trickle(parts, 100);
    expect(o.closedAfter).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs * 0.9);
    expect(o.closedAfter).toBeLessThan(LIMITS.requestTimeoutMs + 1500);
    if (o.received) expect(o.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 431 to a request head larger than the limit', async () => {
    const o = await trickle([`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(3000)}\r\n\r\n`], 10);
    expect(o.received).toMatch(/^HTTP\/1\.1 431/);
  });

  it('answers 413 problem+json to a body larger than 64 KiB, before parsing it', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'provider', username: 'admin', password: 'p'.repeat(70 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('serves a client that keeps to the limits, several requests on one connection', async () => {
    const req = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const o = await trickle([req, req, `${req.slice(0, -2)}Connection: close\r\n\r\n`], 100);
    expect(o.received.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(o.closedAfter).toBeLessThan(LIMITS.headersTimeoutMs);
  });
});
