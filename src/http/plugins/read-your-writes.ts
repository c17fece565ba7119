import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app/context.js';
import { UNSAFE } from './auth.js';

/** Not a secret and not trusted for anything but routing reads: without it, a read may lag. */
export const WROTE_COOKIE = 'kontor_wrote';

/**
 * Read-your-writes with a read replica: a session's successful write sets a short-lived cookie,
 * and while the browser sends it the session's lists read the primary. The cookie travels with
 * the client, so it holds whichever instance the next request reaches.
 */
export function installReadYourWrites(app: FastifyInstance, opts: { seconds: number; secure: boolean }): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.principal?.kind === 'session' && UNSAFE.has(req.method) && reply.statusCode < 400) {
      reply.setCookie(WROTE_COOKIE, '1', {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.secure,
        path: '/',
        maxAge: opts.seconds,
      });
    }
    return payload;
  });
}

/**
 * The deps for a read where a little staleness is safe: the replica for a session that has
 * not written lately; the primary for everyone else (API tokens included: apps read their own
 * writes, and no cookie tells when they wrote).
 */
export function staleReads(req: FastifyRequest, deps: AppDeps): AppDeps {
  if (!deps.readStore || req.principal?.kind !== 'session' || req.cookies[WROTE_COOKIE] !== undefined) return deps;
  return { ...deps, store: deps.readStore };
}
