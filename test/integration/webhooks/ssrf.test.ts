import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSender } from '../../../src/adapters/webhook-sender.js';
import { outboundGuard, refusedRange } from '../../../src/sso/outbound-guard.js';
import { type WebhookKit, webhookKit } from './webhook-kit.js';

// Issue 17 #4: the guard decides on the resolved address before any connection. Every target
// here is refused before a socket opens; the only traffic that leaves is to loopback.
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const strict = outboundGuard({ allowLoopback: false });
const send = webhookSender({ fetch: strict.fetch, totalTimeoutMs: 2000 });
const attempt = (url: string) => send.send({ url, id: 'evt', body: '{}', secrets: [SECRET] });

let loopbackHits = 0;
let port = 0;
const local = createServer((_req, res) => {
  loopbackHits++;
  res.writeHead(200).end();
});
beforeAll(async () => {
  await new Promise<void>((done) => local.listen(0, '127.0.0.1', done));
  port = (local.address() as AddressInfo).port;
});
afterAll(async () => {
  await strict.close();
  await new Promise((done) => local.close(done));
});

describe('the webhook guard’s decisions', () => {
  it.each([
    ['169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['fd00::1', 'uniqueLocal'],
    ['127.0.0.1', 'loopback'],
  ])('classifies %s as %s and refuses it', (address, range) => {
    expect(refusedRange(address, { allowLoopback: false })).toBe(range);
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['https://10.0.0.1/hook', 'private'],
    ['https://[fd00::1]/hook', 'uniqueLocal'],
  ])('refuses %s before connecting', async (url, range) => {
    const r = await attempt(url);
    expect(r).toMatchObject({ ok: false, status: null });
    expect(r.error).toContain(range);
  });

  it('refuses a name that resolves to 127.0.0.1 while loopback is not allowed, and sends nothing', async () => {
    const r = await attempt(`http://localhost:${port}/hook`);
    expect(r).toMatchObject({ ok: false, status: null });
    expect(r.error).toContain('loopback');
    expect(loopbackHits).toBe(0);
  });
});

describe('subscriptions on a server without the loopback setting', () => {
  let w: WebhookKit;
  beforeAll(async () => {
    w = await webhookKit({ allowLoopback: false });
  });
  afterAll(async () => w?.close());

  it('refuses an http URL, and records the guard’s refusal of a metadata address in the delivery log', async () => {
    const http = await w.admin.call('POST', `/api/v1/tenants/${w.tenant.id}/webhooks`, {
      url: `http://127.0.0.1:${port}/hook`,
    });
    expect(http.statusCode).toBe(400);
    const sub = await w.subscribe(w.admin, 'https://169.254.169.254/hook', { eventTypes: ['ssrf.test'] });
    await w.event(w.tenant, 'ssrf.test');
    await w.deliver();
    const [d] = (await w.admin.call('GET', `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/deliveries`)).json()
      .items;
    expect(d).toMatchObject({ status: 'failing', lastStatus: null });
    expect(d.lastError).toContain('refused');
    expect(loopbackHits).toBe(0);
  });
});
