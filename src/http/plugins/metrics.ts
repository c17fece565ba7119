import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../app/context.js';
import type { PermissionCatalogue } from '../../domain/permissions.js';
import { ctxOf } from './auth.js';

/** What the HTTP layer needs of a metrics adapter (src/adapters/prometheus-metrics.ts). */
export interface HttpMetrics {
  /** One answered request: `route` is the matched route template, undefined when none matched. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void;
  /** The Prometheus exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * Counts every answered request by its route template (never the raw URL: ids, slugs and
 * random paths would leak tenants and grow the series without bound) and serves GET /metrics
 * to a principal holding `system.metrics.read` — an operation role of the root provider.
 * Scrapers inside the network use the separate listener instead (KONTOR_METRICS_LISTEN).
 */
export function installMetrics(app: FastifyInstance, metrics: HttpMetrics, catalogue: PermissionCatalogue): void {
  app.addHook('onResponse', async (req, reply) => {
    // A request no route matched (404, or refused before routing) has no template.
    const route = req.is404 ? undefined : req.routeOptions.url;
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'required' } }, async (req, reply) => {
    requirePermission(ctxOf(req).actor, 'system.metrics.read', catalogue);
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
