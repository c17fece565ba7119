import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { Client } from '../http/http-kit.js';
import { problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';
import { type Receiver, receiver, type WebhookKit, webhookKit } from './webhook-kit.js';

// Issue 17 #2, #3, #5: the subscription API (every change audited), the test event, the change
// feed, and tenant isolation.
let w: WebhookKit;
let rx: Receiver;
let other: Tenant;
let otherAdmin: Client;
beforeAll(async () => {
  w = await webhookKit();
  rx = await receiver();
  other = await w.k.aTenant(w.k.root, 'reseller');
  otherAdmin = await w.signedIn(other, ADMIN_ROLES);
});
afterAll(async () => {
  await rx?.close();
  await w?.close();
});

const api = (t: Tenant) => `/api/v1/tenants/${t.id}`;
const actions = async (t: Tenant) =>
  (
    await w.k.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('tenant_id', '=', t.id)
      .orderBy('seq')
      .execute()
  ).map((e) => e.action);

describe('the webhook API', () => {
  it('manages a subscription, audits every change, and never returns the secret again', async () => {
    const t = await w.k.aTenant(w.k.root, 'reseller');
    const admin = await w.signedIn(t, ['AdministrationAdvanced']);
    const sub = await w.subscribe(admin, `${rx.url}?token=receiver-secret`, { description: 'CRM' });
    const path = `${api(t)}/webhooks/${sub.id}`;
    expect(sub.json.subscription).toMatchObject({ scope: 'tenant', state: 'active', eventTypes: null });
    const list = await admin.call('GET', `${api(t)}/webhooks`);
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([sub.id]);
    expect(list.body).not.toContain(sub.secret);
    const patched = await admin.call('PATCH', path, { eventTypes: ['user.deleted'], state: 'disabled' });
    expect(patched.json()).toMatchObject({ eventTypes: ['user.deleted'], state: 'disabled' });
    expect((await admin.call('POST', `${path}/secret`, {})).statusCode).toBe(200);
    problem(await admin.call('PATCH', path, { url: 'http://hooks.example/in' }), 400, 'validation.invalid');
    expect((await admin.call('DELETE', path)).statusCode).toBe(204);
    problem(await admin.call('GET', path), 404, 'resource.not_found');
    const log = await actions(t);
    expect(log).toEqual(
      expect.arrayContaining(['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted']),
    );
    // Neither the secret nor the receiver's token in the URL reaches the activity log.
    const details = await w.k.db.kysely
      .selectFrom('audit_events')
      .select('details')
      .where('tenant_id', '=', t.id)
      .execute();
    expect(JSON.stringify(details)).not.toContain('receiver-secret');
    expect(JSON.stringify(details)).not.toContain(sub.secret.slice(6, 20));
  });

  it('sends a test event to the one subscription asked, and redelivers it with the same webhook-id', async () => {
    const t = await w.k.aTenant(w.k.root, 'reseller');
    const admin = await w.signedIn(t, ['AdministrationAdvanced']);
    const other = await receiver();
    try {
      const a = await w.subscribe(admin, rx.url);
      await w.subscribe(admin, other.url);
      await w.deliver();
      const before = rx.received.length;
      const otherBefore = other.received.length;
      const res = await admin.call('POST', `${api(t)}/webhooks/${a.id}/test`);
      expect(res.statusCode).toBe(202);
      const { eventId } = res.json();
      await w.deliver();
      const got = rx.received.slice(before);
      expect(got.map((x) => x.id)).toEqual([eventId]);
      expect(JSON.parse(got[0]?.body ?? '{}').type).toBe('webhook.test');
      expect(other.received.slice(otherBefore).map((x) => JSON.parse(x.body).type)).not.toContain('webhook.test');
      const log = (await admin.call('GET', `${api(t)}/webhooks/${a.id}/deliveries`)).json().items;
      const delivery = log.find((d: { type: string }) => d.type === 'webhook.test');
      expect(delivery).toMatchObject({ status: 'delivered', lastStatus: 200 });
      expect(delivery.lastLatencyMs).toBeGreaterThanOrEqual(0);
      // The log shows the body that was sent.
      expect(delivery.event).toEqual(JSON.parse(got[0]?.body ?? '{}'));
      const again = await admin.call('POST', `${api(t)}/webhooks/${a.id}/deliveries/${delivery.id}/redeliver`);
      expect(again.statusCode).toBe(204);
      await w.deliver();
      // The redelivery is audited, and that event is delivered too: count the test event's arrivals.
      expect(rx.received.slice(before).filter((x) => x.id === eventId)).toHaveLength(2);
      expect(await actions(t)).toEqual(expect.arrayContaining(['webhook.test', 'webhook.redelivered']));
    } finally {
      await other.close();
    }
  });

  it('publishes the event schema in the OpenAPI document’s webhooks section', async () => {
    const doc = (await w.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const schema = doc.webhooks.event.post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(['id', 'type', 'timestamp', 'data']);
    expect(doc.paths['/api/v1/tenants/{id}/events']).toBeDefined();
  });
});

describe('the change feed', () => {
  it('answers a long-poll as soon as an event commits, and resumes by cursor without loss or repeat', async () => {
    const t = await w.k.aTenant(w.k.root, 'reseller');
    const admin = await w.signedIn(t, ['AdministrationAdvanced']);
    const first = (await admin.call('GET', `${api(t)}/events`)).json();
    const seen = first.items.map((e: { id: string }) => e.id);
    const waiting = admin.call('GET', `${api(t)}/events?after=${first.cursor}&wait=25`);
    const e = await w.event(t, 'feed.test');
    const answer = (await waiting).json();
    expect(answer.items.map((x: { id: string }) => x.id)).toEqual([`${t.id}.${e.seq}`]);
    expect(answer.items[0]).toMatchObject({ type: 'feed.test', data: { tenantId: t.id, seq: e.seq } });
    expect(seen).not.toContain(answer.items[0].id);
    // Two more while the reader is away: the cursor resumes exactly after what it read.
    const [b, c] = [await w.event(t, 'feed.test'), await w.event(t, 'feed.test')];
    const resumed = (await admin.call('GET', `${api(t)}/events?after=${answer.cursor}&limit=1`)).json();
    expect(resumed.items.map((x: { data: { seq: number } }) => x.data.seq)).toEqual([b.seq]);
    const rest = (await admin.call('GET', `${api(t)}/events?after=${resumed.cursor}`)).json();
    expect(rest.items.map((x: { data: { seq: number } }) => x.data.seq)).toEqual([c.seq]);
    const empty = (await admin.call('GET', `${api(t)}/events?after=${rest.cursor}&wait=0`)).json();
    expect(empty).toEqual({ items: [], cursor: rest.cursor });
    problem(await admin.call('GET', `${api(t)}/events?after=not-a-cursor`), 400, 'validation.invalid');
  });
});

describe('tenant isolation', () => {
  it('keeps another tenant’s administrators from reading or subscribing to this tenant’s events', async () => {
    const sub = await w.subscribe(w.admin, rx.url, { eventTypes: ['iso.test'] });
    const mine = `${api(w.tenant)}/webhooks`;
    for (const [method, url, body] of [
      ['GET', mine, undefined],
      ['POST', mine, { url: 'https://evil.example/in' }],
      ['GET', `${mine}/${sub.id}`, undefined],
      ['PATCH', `${mine}/${sub.id}`, { url: 'https://evil.example/in' }],
      ['POST', `${mine}/${sub.id}/secret`, {}],
      ['GET', `${mine}/${sub.id}/deliveries`, undefined],
      ['POST', `${mine}/${sub.id}/test`, undefined],
      ['DELETE', `${mine}/${sub.id}`, undefined],
      ['GET', `${api(w.tenant)}/events`, undefined],
    ] as const) {
      problem(await otherAdmin.call(method, url, body), 404, 'resource.not_found');
    }
    // Through its own tenant's paths, another tenant's subscription does not exist either.
    problem(await otherAdmin.call('GET', `${api(other)}/webhooks/${sub.id}`), 404, 'resource.not_found');
    problem(await otherAdmin.call('DELETE', `${api(other)}/webhooks/${sub.id}`), 404, 'resource.not_found');
    expect((await w.admin.call('GET', `${mine}/${sub.id}`)).json().url).toBe(rx.url);
  });

  it('needs webhooks.manage inside the tenant', async () => {
    const basic = await w.signedIn(w.tenant, ['AdministrationBasic']);
    problem(await basic.call('GET', `${api(w.tenant)}/webhooks`), 403, 'grant.missing_permission');
    problem(
      await basic.call('POST', `${api(w.tenant)}/webhooks`, { url: 'https://hooks.example/in' }),
      403,
      'grant.missing_permission',
    );
    // The activity log's readers read the feed.
    expect((await basic.call('GET', `${api(w.tenant)}/events`)).statusCode).toBe(200);
  });

  it('needs audit.read as well: a subscription carries the activity log’s events', async () => {
    // A role the operator might define: webhooks without the activity log.
    await w.k.db.kysely
      .insertInto('roles')
      .values({
        key: 'HooksOnly',
        name: 'Hooks only',
        description: '',
        category: 'administration',
        permissions: ['webhooks.manage'],
      })
      .execute();
    const hooksOnly = await w.signedIn(w.tenant, ['HooksOnly']);
    problem(
      await hooksOnly.call('POST', `${api(w.tenant)}/webhooks`, { url: 'https://hooks.example/in' }),
      403,
      'grant.missing_permission',
    );
    problem(await hooksOnly.call('GET', `${api(w.tenant)}/webhooks`), 403, 'grant.missing_permission');
  });
});
