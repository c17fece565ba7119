import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built console (`npm run build:web`), next to the sources: src/http/plugins → web/dist. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

// The console owns every other GET path (client-side navigation), but never these: an unknown
// API or protocol path must answer the API's own 404, not an HTML page.
const RESERVED = ['/api', '/scim', '/docs', '/healthz', '/readyz', '/oidc', '/sso', '/.well-known'];

/**
 * The console's scripts come only from this origin; Mantine writes its theme into a <style>
 * element and style attributes, hence 'unsafe-inline' for styles (never for scripts). The API
 * is same-origin, so connect-src 'self'; nothing may frame the console (clickjacking).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const isReserved = (path: string): boolean => RESERVED.some((p) => path === p || path.startsWith(`${p}/`));
// A path naming a file (`/x.js`) that does not exist is a 404, not the app.
const looksLikeFile = (path: string): boolean => /\.[A-Za-z0-9]{1,8}$/.test(path);

function htmlHeaders(reply: FastifyReply): void {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    // The page is small and names the hashed bundles: always revalidate it, so a new build
    // reaches every browser at once.
    .header('cache-control', 'no-cache');
}

const NOT_BUILT =
  'The Kontor admin console is not built.\n\n' +
  'Build it with `npm run build:web` (or `node scripts/build-console.mjs`) and restart the server.\n' +
  'The API works without it: see /docs.\n';

/**
 * Serves the admin console (web/dist) at `/` with a fallback to index.html for client-side
 * paths. Without a build, `/` answers a short plain page saying how to build it.
 */
export async function installConsole(app: FastifyInstance, opts: { dir?: string } = {}): Promise<void> {
  const dir = opts.dir ?? DEFAULT_CONSOLE_DIR;
  const built = existsSync(`${dir}/index.html`);
  const fallback = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (isReserved(path) || looksLikeFile(path)) return reply.callNotFound();
    if (!built) return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    htmlHeaders(reply);
    return reply.sendFile('index.html', dir, { cacheControl: false });
  };
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // One route per built file, found at start: everything else falls to the app below.
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders(res, path) {
        if (path.endsWith('.html')) {
          res.setHeader('content-security-policy', CONSOLE_CSP);
          res.setHeader('cache-control', 'no-cache');
        } else if (path.includes('/assets/')) {
          // Vite puts a content hash in every asset name: a changed file gets a new name.
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else {
          res.setHeader('cache-control', 'public, max-age=3600');
        }
      },
    });
  }
  app.get('/', { schema: { hide: true } }, fallback);
  app.get('/*', { schema: { hide: true } }, fallback);
}
