import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Receiver, receiver, type WebhookKit, webhookKit } from './webhook-kit.js';

// Issue 17 #2, #3, #6: signed deliveries to a real receiver, retries, order, leases, rotation.
let w: WebhookKit;
let rx: Receiver;
beforeAll(async () => {
  w = await webhookKit();
});
afterAll(async () => {
  await w?.close();
});
beforeEach(async () => {
  await rx?.close();
  rx = await receiver();
});

const deliveries = async (id: string) =>
  (await w.admin.call('GET', `/api/v1/tenants/${w.tenant.id}/webhooks/${id}/deliveries`)).json().items as {
    id: string;
    status: string;
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    lastLatencyMs: number | null;
    nextAttemptAt: string;
  }[];

describe('webhook delivery', () => {
  it('delivers a committed event, signed so that the Standard Webhooks library verifies it', async () => {
    const t = await w.k.aTenant(w.tenant, 'consumer');
    const admin = await w.signedIn(t, ['AdministrationAdvanced']);
    const sub = await w.subscribe(admin, rx.url, { eventTypes: ['user.state.locked'] });
    expect(sub.secret).toMatch(/^whsec_/);
    const e = await w.event(t);
    await w.deliver();
    expect(rx.received).toHaveLength(1);
    const [got] = rx.received;
    if (!got) throw new Error('nothing received');
    expect(rx.verify(got, sub.secret)).toMatchObject({ id: `${t.id}.${e.seq}`, type: 'user.state.locked' });
    expect(got.id).toBe(`${t.id}.${e.seq}`);
    expect(JSON.parse(got.body)).toEqual({
      id: `${t.id}.${e.seq}`,
      type: 'user.state.locked',
      timestamp: e.at.toISOString(),
      data: {
        tenantId: t.id,
        seq: e.seq,
        actorUserId: null,
        actorTenantId: null,
        targetType: 'user',
        targetId: e.targetId,
        details: {},
        requestId: null,
      },
    });
    expect(() => rx.verify(got, `whsec_${Buffer.alloc(32, 1).toString('base64')}`)).toThrow();
    const [d] = (await admin.call('GET', `/api/v1/tenants/${t.id}/webhooks/${sub.id}/deliveries`)).json().items;
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    // The secret is shown once: neither the subscription nor its log carries it.
    const read = await admin.call('GET', `/api/v1/tenants/${t.id}/webhooks/${sub.id}`);
    expect(read.body).not.toContain(sub.secret.slice(6, 20));
    expect(JSON.stringify(d)).not.toContain(sub.secret.slice(6, 20));
  });

  it('retries a receiver that answered 500, and the retry succeeds', async () => {
    const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['retry.me'] });
    let calls = 0;
    rx.respond = (_r, res) => res.writeHead(++calls === 1 ? 500 : 200).end(calls === 1 ? 'down' : 'ok');
    await w.event(w.tenant, 'retry.me');
    await w.deliver();
    let [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'failing', attempts: 1, lastStatus: 500 });
    expect(d?.lastError).toContain('HTTP 500');
    // Not due yet: backoff, not a hot loop.
    await w.deliver();
    expect(rx.received).toHaveLength(1);
    w.clock.advance(3600);
    await w.deliver();
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200 });
    expect(rx.received.map((x) => x.id)).toEqual([rx.received[0]?.id, rx.received[0]?.id]);
    for (const x of rx.received) expect(() => rx.verify(x, sub.secret)).not.toThrow();
  });

  it('delivers a tenant’s events in their order, one at a time, with a subtree subscription across tenants', async () => {
    const a = await w.k.aTenant(w.tenant, 'consumer');
    const b = await w.k.aTenant(w.tenant, 'consumer');
    await w.subscribe(w.admin, rx.url, { scope: 'subtree', eventTypes: ['order.test'] });
    let inFlight = 0;
    let most = 0;
    rx.respond = (_r, res) => {
      most = Math.max(most, ++inFlight);
      setImmediate(() => {
        inFlight--;
        res.writeHead(204).end();
      });
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => w.event(i % 2 ? a : b, 'order.test')));
    await w.deliver();
    const got = rx.events();
    expect(got).toHaveLength(20);
    for (const t of [a, b]) {
      expect(got.filter((e) => e.data.tenantId === t.id).map((e) => e.data.seq)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
    }
    expect(most).toBe(1);
  });

  it('sends a descendant’s event to a subtree subscription as a reference: what and where, no details', async () => {
    const child = await w.k.aTenant(w.tenant, 'consumer');
    const sub = await w.subscribe(w.admin, rx.url, { scope: 'subtree', eventTypes: ['detail.test'] });
    await w.event(w.tenant, 'detail.test', { loginName: 'own-ann' });
    await w.event(child, 'detail.test', { loginName: 'customer-bob', email: 'bob@customer.example' });
    await w.deliver();
    const got = rx.events().filter((e) => e.type === 'detail.test');
    expect(got.find((e) => e.data.tenantId === w.tenant.id)?.data.details).toEqual({ loginName: 'own-ann' });
    const below = got.find((e) => e.data.tenantId === child.id);
    expect(below?.data).toMatchObject({ tenantId: child.id, targetType: 'user', details: {}, requestId: null });
    // The delivery log shows the subscriber no more than it was sent.
    const log = await deliveries(sub.id);
    expect(JSON.stringify(log)).not.toContain('customer-bob');
    expect(JSON.stringify(log)).toContain('own-ann');
  });

  it('leaves a delivery claimed by a process that died to be delivered after the lease', async () => {
    const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['lease.test'] });
    await w.event(w.tenant, 'lease.test');
    // A worker claims the delivery and dies before sending: its lease holds the delivery.
    const now = w.clock.now();
    const claimed = await w.k.deps.store.transaction((r) =>
      r.webhooks.claim(now, 100, new Date(now.getTime() + 60_000)),
    );
    expect(claimed.map((c) => c.subscriptionId)).toContain(sub.id);
    await w.deliver();
    expect(rx.received).toHaveLength(0);
    w.clock.advance(61);
    await w.deliver();
    expect(rx.received).toHaveLength(1);
    expect((await deliveries(sub.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('signs with both secrets during a rotation’s overlap, then with the new one only', async () => {
    const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['rotate.test'] });
    const res = await w.admin.call('POST', `/api/v1/tenants/${w.tenant.id}/webhooks/${sub.id}/secret`, {
      overlapSeconds: 600,
    });
    expect(res.statusCode).toBe(200);
    const next = res.json().secret as string;
    expect(next).not.toBe(sub.secret);
    await w.event(w.tenant, 'rotate.test');
    await w.deliver();
    const [during] = rx.received;
    if (!during) throw new Error('nothing received');
    expect(during.signature.split(' ')).toHaveLength(2);
    expect(() => rx.verify(during, sub.secret)).not.toThrow();
    expect(() => rx.verify(during, next)).not.toThrow();
    w.clock.advance(601);
    await w.event(w.tenant, 'rotate.test');
    await w.deliver();
    const after = rx.received[1];
    if (!after) throw new Error('nothing received');
    expect(() => rx.verify(after, next)).not.toThrow();
    expect(() => rx.verify(after, sub.secret)).toThrow();
  });

  it('reads at most 4 KiB of an answer: an endless body does not hold the worker', async () => {
    const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['cap.test'] });
    let written = 0;
    rx.respond = (_r, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    };
    await w.event(w.tenant, 'cap.test');
    await w.deliver();
    const [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'failing', lastStatus: 500 });
    expect(d?.lastError?.length).toBeLessThanOrEqual(300);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('follows no redirect: a 302 is a failed attempt and its target is never called', async () => {
    const target = await receiver();
    try {
      const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['redirect.test'] });
      rx.respond = (_r, res) => res.writeHead(302, { location: target.url }).end();
      await w.event(w.tenant, 'redirect.test');
      await w.deliver();
      expect(target.received).toHaveLength(0);
      const [d] = await deliveries(sub.id);
      expect(d).toMatchObject({ status: 'failing', lastStatus: 302 });
      expect(d?.lastError).toContain('redirects are not followed');
    } finally {
      await target.close();
    }
  });

  it('gives up after a day, marks the subscription failing and mails the administrators once', async () => {
    const t = await w.k.aTenant(w.k.root, 'reseller');
    const admin = await w.signedIn(t, ['AdministrationAdvanced']);
    await w.k.db.kysely
      .updateTable('users')
      .set({ email: 'hooks-admin@example.test' })
      .where('id', '=', admin.user.id)
      .execute();
    const sub = await w.subscribe(admin, rx.url, { eventTypes: ['dead.test'] });
    rx.respond = (_r, res) => res.writeHead(503).end();
    await w.event(t, 'dead.test');
    await w.event(t, 'dead.test');
    await w.deliver();
    // The second waits behind the first (order), then has its own day of retries.
    for (let i = 0; i < 60; i++) {
      w.clock.advance(3600);
      await w.deliver();
    }
    const log = (await admin.call('GET', `/api/v1/tenants/${t.id}/webhooks/${sub.id}/deliveries`)).json().items;
    expect(log.map((d: { status: string }) => d.status)).toEqual(['given_up', 'given_up']);
    const s = (await admin.call('GET', `/api/v1/tenants/${t.id}/webhooks/${sub.id}`)).json();
    expect(s.state).toBe('failing');
    const mails = await w.k.db.kysely.selectFrom('outbox').select('payload').where('topic', '=', 'mail').execute();
    const ours = mails.filter((m) => (m.payload as { to?: string }).to === 'hooks-admin@example.test');
    expect(ours).toHaveLength(1);
    // The receiver is back: the next delivery succeeds and the subscription is active again.
    rx.respond = (_r, res) => res.writeHead(200).end();
    await w.event(t, 'dead.test');
    await w.deliver();
    expect((await admin.call('GET', `/api/v1/tenants/${t.id}/webhooks/${sub.id}`)).json().state).toBe('active');
  });
});
