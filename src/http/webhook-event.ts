import { type Static, Type } from '@sinclair/typebox';
import { AnyObject, Nullable, Uuid } from './schemas.js';

/**
 * The one event schema of webhooks and the change feed (docs/webhooks.md). Stable: fields are
 * only ever added. Written once here, it drives the feed's serialization and the OpenAPI
 * document's `webhooks` section alike.
 */
export const WebhookEventSchema = Type.Object(
  {
    id: Type.String({ description: '`<tenantId>.<seq>`, also the webhook-id header: the same on every retry' }),
    type: Type.String({ description: 'The activity-log action, e.g. user.state.locked, user.deleted, share.ended' }),
    timestamp: Type.String({ format: 'date-time', description: 'When the change was committed' }),
    data: Type.Object({
      tenantId: Uuid,
      seq: Type.Integer({ description: 'Position in the tenant’s activity log: increases by one per event' }),
      actorUserId: Nullable(Uuid),
      actorTenantId: Nullable(Uuid),
      targetType: Type.String(),
      targetId: Nullable(Type.String()),
      details: AnyObject,
      requestId: Nullable(Type.String()),
    }),
  },
  { title: 'WebhookEvent' },
);
export type WebhookEventBody = Static<typeof WebhookEventSchema>;

/** The OpenAPI 3.1 `webhooks` section: what Kontor POSTs to a subscription's URL. */
export const openApiWebhooks = {
  event: {
    post: {
      summary: 'An activity-log event of a subscribed tenant (or of its subtree)',
      description:
        'Signed per Standard Webhooks: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` ' +
        '(`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated, two during a secret rotation). ' +
        'Answer 2xx within 15 s; anything else is retried with exponential backoff for a day. Delivered at ' +
        'least once, in order per tenant: deduplicate by webhook-id.',
      parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
        name,
        in: 'header',
        required: true,
        schema: { type: 'string' },
      })),
      requestBody: { required: true, content: { 'application/json': { schema: WebhookEventSchema } } },
      responses: { '2XX': { description: 'Received; any other answer is retried' } },
    },
  },
};
