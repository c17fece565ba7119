import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestSpan, RequestTracing } from '../../domain/tracing.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Bounded like the metrics' labels: a method outside the standard set is `_OTHER` (semconv). */
const methodOf = (req: FastifyRequest): string => (METHODS.has(req.method) ? req.method : '_OTHER');

/** The route template, never the raw path (ids and slugs would leak tenants, R7); none for a 404. */
const routeOf = (req: FastifyRequest): string | undefined => (req.is404 ? undefined : req.routeOptions.url);

const nameOf = (method: string, route: string | undefined): string => (route ? `${method} ${route}` : method);

/**
 * A server span per request (issue 19 #2): named `METHOD /route/template`, with the method,
 * route, status and the request id (the `x-request-id` answer header and the logs' `reqId`),
 * nothing else of the request. The caller's `traceparent` is honoured. Hooks and handler run
 * with it as the current span, so storage spans become its children.
 */
export function installTracing(app: FastifyInstance, tracing: RequestTracing): void {
  const spans = new WeakMap<FastifyRequest, RequestSpan>();
  app.addHook('onRequest', (req, reply, done) => {
    const method = methodOf(req);
    // The route is settled at the end only: a catch-all may still hand the request to not-found.
    const span = tracing.startRequest(req.headers, method, {
      'http.request.method': method,
      'kontor.request_id': req.id,
    });
    spans.set(req, span);
    // Logs carry the trace id too: a log line leads to its trace and back.
    // (Fastify's own "request completed" line is written by the reply's logger.)
    req.log = req.log.child({ traceId: span.traceId });
    reply.log = req.log;
    span.run(done);
  });
  const end = (req: FastifyRequest, status: number | undefined) => {
    const method = methodOf(req);
    const route = routeOf(req);
    spans.get(req)?.end(
      nameOf(method, route),
      {
        ...(route ? { 'http.route': route } : {}),
        ...(status === undefined ? { 'error.type': 'aborted' } : { 'http.response.status_code': status }),
      },
      status === undefined || status >= 500,
    );
  };
  app.addHook('onResponse', async (req, reply) => end(req, reply.statusCode));
  app.addHook('onRequestAbort', async (req) => end(req, undefined));
}
