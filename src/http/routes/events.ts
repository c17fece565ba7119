import { Type } from '@sinclair/typebox';
import { readFeed } from '../../app/change-feed.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';
import { WebhookEventSchema } from '../webhook-event.js';

const strict = { additionalProperties: false } as const;

/** The longest a long-poll waits: below the usual proxy idle timeouts (60 s). */
export const MAX_WAIT_SECONDS = 30;

export function eventRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id/events',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Change feed: the tenant’s events after a cursor, oldest first, with long-polling',
        description:
          'The same events as webhooks, for systems that poll. Keep `cursor` and pass it as `after`; with ' +
          '`wait` the answer comes as soon as an event is there, or empty after that many seconds.',
        params: IdParams,
        querystring: Type.Object(
          {
            after: Type.Optional(Type.String({ maxLength: 200, description: 'cursor of the previous answer' })),
            wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          strict,
        ),
        response: {
          200: Type.Object({
            items: Type.Array(WebhookEventSchema),
            cursor: Type.String({ description: 'Opaque; pass it as `after` to resume' }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const gone = new AbortController();
      req.raw.once('close', () => gone.abort());
      return readFeed(deps, ctxOf(req), req.params.id, {
        ...(req.query.after !== undefined ? { after: req.query.after } : {}),
        waitSeconds: req.query.wait ?? 0,
        limit: req.query.limit ?? 100,
        signal: gone.signal,
      });
    },
  );
}
