import { AppError, type FieldError, notFound } from '../domain/errors.js';
import {
  loggedUrl,
  type WebhookDelivery,
  type WebhookPatch,
  type WebhookScope,
  type WebhookServices,
  type WebhookSubscription,
  webhookUrlErrors,
} from '../domain/webhooks.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, requirePermission } from './context.js';
import { assertActingTenant } from './tenant-reach.js';

export type WebhookDeps = AppDeps & { webhooks?: WebhookServices };

export interface WebhookInput {
  url: string;
  description?: string;
  eventTypes?: string[] | null;
  scope?: WebhookScope;
}

/**
 * After a test event or a redelivery the answer waits for the delivery pass, so the log the
 * caller reads next shows the attempt, but never longer than this: a slow receiver must not hold
 * the request (the pass goes on without it).
 */
const FLUSH_WAIT_MS = 2000;
const flushBriefly = (svc: WebhookServices): Promise<unknown> =>
  Promise.race([svc.flush(), new Promise((done) => setTimeout(done, FLUSH_WAIT_MS).unref())]);

/** The longest overlap a rotation may ask for: both secrets sign meanwhile. */
export const MAX_OVERLAP_SECONDS = 7 * 86400;
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

function services(deps: WebhookDeps): WebhookServices {
  if (!deps.webhooks) throw new AppError('webhook.not_configured', 'Webhooks are not configured on this server');
  return deps.webhooks;
}

async function authorize(deps: WebhookDeps, ctx: Ctx, tenantId: string): Promise<WebhookServices> {
  await assertActingTenant(deps, ctx, tenantId);
  requirePermission(ctx.actor, 'webhooks.manage', deps.catalogue);
  // A subscription and its delivery log carry the activity log's events: never more than the
  // actor may read there (the change feed asks the same).
  requirePermission(ctx.actor, 'audit.read', deps.catalogue);
  return services(deps);
}

function problems(p: WebhookPatch, allowLoopback: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (p.url !== undefined) errors.push(...webhookUrlErrors(p.url, allowLoopback));
  for (const t of p.eventTypes ?? []) {
    if (!EVENT_TYPE.test(t)) errors.push({ field: 'eventTypes', code: 'pattern', message: `Not an event type: ${t}` });
  }
  return errors;
}

/** A new subscription and its secret, shown this once: stored only sealed, never returned again. */
export async function createWebhook(
  deps: WebhookDeps,
  ctx: Ctx,
  tenantId: string,
  input: WebhookInput,
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  const svc = await authorize(deps, ctx, tenantId);
  const eventTypes = input.eventTypes?.length ? [...new Set(input.eventTypes)].sort() : null;
  assertNoErrors(problems({ url: input.url, eventTypes }, svc.allowLoopback));
  const secret = svc.newSecret();
  const now = deps.clock.now();
  const subscription = await deps.store.transaction(async (r) => {
    const s = await r.webhooks.insert({
      id: deps.ids.newId(),
      tenantId,
      url: input.url,
      description: input.description ?? '',
      eventTypes,
      scope: input.scope ?? 'tenant',
      secretEnc: svc.seal(secret),
      now,
    });
    await audit(r, ctx, now, {
      tenantId,
      action: 'webhook.created',
      targetType: 'webhook',
      targetId: s.id,
      details: { url: loggedUrl(s.url), scope: s.scope, eventTypes: s.eventTypes },
    });
    return s;
  });
  return { subscription, secret };
}

export async function listWebhooks(deps: WebhookDeps, ctx: Ctx, tenantId: string): Promise<WebhookSubscription[]> {
  await authorize(deps, ctx, tenantId);
  return deps.store.read((r) => r.webhooks.list(tenantId));
}

export async function getWebhook(deps: WebhookDeps, ctx: Ctx, tenantId: string, id: string) {
  await authorize(deps, ctx, tenantId);
  const s = await deps.store.read((r) => r.webhooks.find(tenantId, id));
  if (!s) throw notFound('webhook');
  return s;
}

export async function updateWebhook(
  deps: WebhookDeps,
  ctx: Ctx,
  tenantId: string,
  id: string,
  patch: WebhookPatch,
): Promise<WebhookSubscription> {
  const svc = await authorize(deps, ctx, tenantId);
  const p: WebhookPatch = {
    ...patch,
    ...(patch.eventTypes !== undefined
      ? { eventTypes: patch.eventTypes?.length ? [...new Set(patch.eventTypes)].sort() : null }
      : {}),
  };
  assertNoErrors(problems(p, svc.allowLoopback));
  const now = deps.clock.now();
  return deps.store.transaction(async (r) => {
    const s = await r.webhooks.update(tenantId, id, p, now);
    if (!s) throw notFound('webhook');
    await audit(r, ctx, now, {
      tenantId,
      action: 'webhook.updated',
      targetType: 'webhook',
      targetId: id,
      details: { ...p, ...(p.url ? { url: loggedUrl(p.url) } : {}) },
    });
    return s;
  });
}

export async function deleteWebhook(deps: WebhookDeps, ctx: Ctx, tenantId: string, id: string): Promise<void> {
  await authorize(deps, ctx, tenantId);
  const now = deps.clock.now();
  await deps.store.transaction(async (r) => {
    if (!(await r.webhooks.delete(tenantId, id))) throw notFound('webhook');
    await audit(r, ctx, now, { tenantId, action: 'webhook.deleted', targetType: 'webhook', targetId: id });
  });
}

/**
 * A new secret, shown this once. The old one keeps signing beside it for `overlapSeconds`
 * (default a day): receivers switch at their pace, verifying whichever signature they know.
 */
export async function rotateWebhookSecret(
  deps: WebhookDeps,
  ctx: Ctx,
  tenantId: string,
  id: string,
  overlapSeconds = 86400,
): Promise<{ subscription: WebhookSubscription; secret: string }> {
  const svc = await authorize(deps, ctx, tenantId);
  if (overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS) {
    assertNoErrors([{ field: 'overlapSeconds', code: 'range', message: `At most ${MAX_OVERLAP_SECONDS}` }]);
  }
  const secret = svc.newSecret();
  const now = deps.clock.now();
  const until = new Date(now.getTime() + overlapSeconds * 1000);
  const subscription = await deps.store.transaction(async (r) => {
    const s = await r.webhooks.rotate(tenantId, id, svc.seal(secret), until, now);
    if (!s) throw notFound('webhook');
    await audit(r, ctx, now, {
      tenantId,
      action: 'webhook.secret_rotated',
      targetType: 'webhook',
      targetId: id,
      details: { previousValidUntil: until.toISOString() },
    });
    return s;
  });
  return { subscription, secret };
}

export async function listDeliveries(
  deps: WebhookDeps,
  ctx: Ctx,
  tenantId: string,
  id: string,
  limit: number,
): Promise<WebhookDelivery[]> {
  await getWebhook(deps, ctx, tenantId, id);
  return deps.store.read((r) => r.webhooks.deliveries(tenantId, id, limit));
}

/** Queues a delivery again (same event and webhook-id: a receiver that has it drops it). */
export async function redeliver(deps: WebhookDeps, ctx: Ctx, tenantId: string, id: string, deliveryId: string) {
  const svc = await authorize(deps, ctx, tenantId);
  const now = deps.clock.now();
  await deps.store.transaction(async (r) => {
    if (!(await r.webhooks.redeliver(tenantId, id, deliveryId, now))) throw notFound('delivery');
    await audit(r, ctx, now, {
      tenantId,
      action: 'webhook.redelivered',
      targetType: 'webhook',
      targetId: id,
      details: { deliveryId },
    });
  });
  await flushBriefly(svc);
}

/**
 * A `webhook.test` event: an audit event like any other, so it travels the same outbox, signing
 * and retry path; the outbox gives it only to the subscription it names.
 */
export async function sendTestEvent(deps: WebhookDeps, ctx: Ctx, tenantId: string, id: string) {
  const svc = await authorize(deps, ctx, tenantId);
  const now = deps.clock.now();
  const seq = await deps.store.transaction(async (r) => {
    if (!(await r.webhooks.find(tenantId, id))) throw notFound('webhook');
    const e = await audit(r, ctx, now, { tenantId, action: 'webhook.test', targetType: 'webhook', targetId: id });
    return e.seq;
  });
  await flushBriefly(svc);
  return { eventId: `${tenantId}.${seq}` };
}
