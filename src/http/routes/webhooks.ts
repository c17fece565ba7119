import { Type } from '@sinclair/typebox';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  MAX_OVERLAP_SECONDS,
  redeliver,
  rotateWebhookSecret,
  sendTestEvent,
  updateWebhook,
} from '../../app/webhooks.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams, NoContent, Nullable, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';
import { WebhookEventSchema } from '../webhook-event.js';

const strict = { additionalProperties: false } as const;
const tags = ['webhooks'];
const HookParams = Type.Object({ id: Uuid, webhookId: Uuid }, strict);
const DeliveryParams = Type.Object({ id: Uuid, webhookId: Uuid, deliveryId: Uuid }, strict);
const Scope = Type.Union([Type.Literal('tenant'), Type.Literal('subtree')], {
  description: 'tenant: this tenant’s events; subtree: also every tenant below it (a reseller for its customers)',
});
const EventTypes = Nullable(
  Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 100,
    description: 'Activity-log actions to deliver (e.g. user.state.locked); null or empty: every event',
  }),
);
const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'https only (http to loopback only with KONTOR_WEBHOOKS_ALLOW_LOOPBACK, for development)',
});

const Subscription = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  url: Type.String(),
  description: Type.String(),
  eventTypes: EventTypes,
  scope: Scope,
  state: Type.Union([Type.Literal('active'), Type.Literal('failing'), Type.Literal('disabled')], {
    description: 'failing: a delivery was given up after a day of retries; the next success makes it active',
  }),
  previousValidUntil: Nullable(Time),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time,
});
const WithSecret = Type.Object({
  subscription: Subscription,
  secret: Type.String({ description: 'Shown this once (Standard Webhooks form, whsec_…); store it now' }),
});
const Delivery = Type.Object({
  id: Uuid,
  subscriptionId: Uuid,
  tenantId: Uuid,
  eventSeq: Type.Integer(),
  type: Type.String(),
  event: WebhookEventSchema,
  status: Type.Union(['pending', 'delivered', 'failing', 'given_up'].map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  nextAttemptAt: Time,
  lastStatus: Nullable(Type.Integer()),
  lastLatencyMs: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(Time),
  createdAt: Time,
});

export function webhookRoutes(app: Api, { deps }: RouteDeps): void {
  const base = '/tenants/:id/webhooks';
  const one = `${base}/:webhookId`;
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Webhook subscriptions of the tenant',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Subscription) }), ...errors },
      },
    },
    async (req) => ({ items: await listWebhooks(deps, ctxOf(req), req.params.id) }),
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Subscribe a URL to the tenant’s events (the secret is shown once)',
        params: IdParams,
        body: Type.Object(
          {
            url: Url,
            description: Type.Optional(Type.String({ maxLength: 200 })),
            eventTypes: Type.Optional(EventTypes),
            scope: Type.Optional(Scope),
          },
          strict,
        ),
        response: { 201: WithSecret, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await createWebhook(deps, ctxOf(req), req.params.id, req.body)),
  );

  app.get(
    one,
    { schema: { tags, summary: 'One subscription', params: HookParams, response: { 200: Subscription, ...errors } } },
    async (req) => getWebhook(deps, ctxOf(req), req.params.id, req.params.webhookId),
  );

  app.patch(
    one,
    {
      schema: {
        tags,
        summary: 'Change a subscription, or disable and re-enable it',
        params: HookParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            description: Type.Optional(Type.String({ maxLength: 200 })),
            eventTypes: Type.Optional(EventTypes),
            scope: Type.Optional(Scope),
            state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          },
          strict,
        ),
        response: { 200: Subscription, ...errors },
      },
    },
    async (req) => updateWebhook(deps, ctxOf(req), req.params.id, req.params.webhookId, req.body),
  );

  app.delete(
    one,
    { schema: { tags, summary: 'Remove a subscription', params: HookParams, response: { 204: NoContent, ...errors } } },
    async (req, reply) => {
      await deleteWebhook(deps, ctxOf(req), req.params.id, req.params.webhookId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${one}/secret`,
    {
      schema: {
        tags,
        summary: 'Roll the secret; the previous one keeps signing during the overlap (shown once)',
        params: HookParams,
        body: Type.Optional(
          Type.Object(
            { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_SECONDS })) },
            strict,
          ),
        ),
        response: { 200: WithSecret, ...errors },
      },
    },
    async (req) =>
      rotateWebhookSecret(deps, ctxOf(req), req.params.id, req.params.webhookId, req.body?.overlapSeconds ?? 86400),
  );

  app.get(
    `${one}/deliveries`,
    {
      schema: {
        tags,
        summary: 'Delivery log, newest first: status, attempts, latency, last error (never secrets)',
        params: HookParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, strict),
        response: { 200: Type.Object({ items: Type.Array(Delivery) }), ...errors },
      },
    },
    async (req) => ({
      items: await listDeliveries(deps, ctxOf(req), req.params.id, req.params.webhookId, req.query.limit ?? 100),
    }),
  );

  app.post(
    `${one}/deliveries/:deliveryId/redeliver`,
    {
      schema: {
        tags,
        summary: 'Deliver an event again (same webhook-id)',
        params: DeliveryParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await redeliver(deps, ctxOf(req), req.params.id, req.params.webhookId, req.params.deliveryId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${one}/test`,
    {
      schema: {
        tags,
        summary: 'Send a webhook.test event to this subscription',
        params: HookParams,
        response: { 202: Type.Object({ eventId: Type.String() }), ...errors },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await sendTestEvent(deps, ctxOf(req), req.params.id, req.params.webhookId)),
  );
}
