import type { FastifyInstance } from 'fastify';

/** Paths whose answers are API data (personal, tenant-scoped, sometimes secrets such as a new token). */
const API_PREFIXES = ['/api/', '/scim/'];

/**
 * Swagger UI at /docs loads only its own files (no inline script), fetches /api/openapi.json and
 * styles by style attributes; nothing may frame it. Same shape as the console's policy.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Every answer: nosniff (a JSON body is never run as script or rendered as HTML). API answers:
 * `no-store` — no shared or browser cache keeps /me, a user list or a freshly minted token. The
 * API has no conditional GET (ETags only guard updates via If-Match), so nothing is lost; a route
 * that chose its own Cache-Control keeps it.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    const path = req.url;
    if (!reply.hasHeader('cache-control') && API_PREFIXES.some((p) => path.startsWith(p))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
