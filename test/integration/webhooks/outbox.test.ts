import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../../src/app/context.js';
import type { Repos } from '../../../src/domain/ports.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { WebhookScope } from '../../../src/domain/webhooks.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

// Issue 17 #1: the audit append queues the deliveries in the change's own transaction.
let k: TestKontor;
let reseller: Tenant;
let customer: Tenant;
let other: Tenant;
beforeAll(async () => {
  k = await testKontor();
  reseller = await k.aTenant(k.root, 'reseller');
  customer = await k.aTenant(reseller, 'consumer');
  other = await k.aTenant(k.root, 'reseller');
});
afterAll(async () => k?.close());

const subscribe = (t: Tenant, scope: WebhookScope, eventTypes: string[] | null = null) =>
  k.deps.store.transaction((r) =>
    r.webhooks.insert({
      id: randomUUID(),
      tenantId: t.id,
      url: 'https://hooks.example/in',
      description: '',
      eventTypes,
      scope,
      secretEnc: 'sealed',
      now: new Date(),
    }),
  );

const event = (r: Repos, t: Tenant, action = 'user.locked') =>
  recordEvent(r, { actor: null, meta: null }, new Date(), {
    tenantId: t.id,
    action,
    targetType: 'user',
    targetId: randomUUID(),
  });

const deliveriesOf = async (subscriptionId: string) =>
  k.db.kysely.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId).execute();

describe('the webhook outbox', () => {
  it('writes nothing when no subscription wants the event', async () => {
    await k.deps.store.transaction((r) => event(r, other));
    expect(await k.count('webhook_deliveries')).toBe(0);
  });

  it('queues a committed event for the tenant’s subscription and an ancestor’s subtree subscription only', async () => {
    const own = await subscribe(customer, 'tenant');
    const subtree = await subscribe(reseller, 'subtree');
    const resellerOnly = await subscribe(reseller, 'tenant');
    const elsewhere = await subscribe(other, 'subtree');
    const e = await k.deps.store.transaction((r) => event(r, customer));
    for (const s of [own, subtree]) {
      const rows = await deliveriesOf(s.id);
      expect(rows.map((d) => [d.tenant_id, Number(d.event_seq), d.status])).toEqual([[customer.id, e.seq, 'pending']]);
    }
    expect(await deliveriesOf(resellerOnly.id)).toEqual([]);
    expect(await deliveriesOf(elsewhere.id)).toEqual([]);
  });

  it('queues nothing for a transaction that aborts after the change', async () => {
    const s = await subscribe(other, 'tenant');
    await expect(
      k.deps.store.transaction(async (r) => {
        await event(r, other);
        throw new Error('abort after the audit append');
      }),
    ).rejects.toThrow('abort after the audit append');
    expect(await deliveriesOf(s.id)).toEqual([]);
  });

  it('honours the event types a subscription asked for', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const s = await subscribe(t, 'tenant', ['user.deleted']);
    await k.deps.store.transaction(async (r) => {
      await event(r, t, 'user.locked');
      await event(r, t, 'user.deleted');
    });
    const rows = await deliveriesOf(s.id);
    expect(rows).toHaveLength(1);
    const seq = Number(rows[0]?.event_seq);
    const ev = await k.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('tenant_id', '=', t.id)
      .where('seq', '=', String(seq))
      .executeTakeFirstOrThrow();
    expect(ev.action).toBe('user.deleted');
  });

  it('orders a subscription’s deliveries as the tenant’s events', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const s = await subscribe(t, 'tenant');
    await Promise.all(Array.from({ length: 8 }, () => k.deps.store.transaction((r) => event(r, t))));
    const rows = (await deliveriesOf(s.id)).sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(rows.map((d) => Number(d.event_seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
