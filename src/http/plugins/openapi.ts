import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { openApiWebhooks } from '../webhook-event.js';
import { DOCS_CSP } from './security-headers.js';

/**
 * OpenAPI 3.1 generated from the route schemas (the same ones that validate and serialize),
 * served at /api/openapi.json, with a readable reference at /docs.
 */
export async function installOpenApi(app: FastifyInstance, cookieName: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kontor API',
        version: '1',
        description:
          'Multi-tenant identity and permissions. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'Writes with the session cookie need `X-CSRF-Token` (from sign-in or GET /me); POST accepts ' +
          '`Idempotency-Key`; PATCH/PUT accept `If-Match: "<version>"` (412 when stale).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: cookieName },
          bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/v1/me/tokens' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
      // What Kontor sends to webhook subscriptions (issue 17), in OpenAPI 3.1's own section.
      webhooks: openApiWebhooks,
    } as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () => app.swagger());
}
