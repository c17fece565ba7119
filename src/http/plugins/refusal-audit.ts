import type { FastifyInstance } from 'fastify';
import type { AuthDeps } from '../../app/auth/auth-deps.js';
import { auditRefusal } from '../../app/auth/refusals.js';
import { ERROR_CODES, isAppError } from '../../domain/errors.js';

/**
 * Refusals are evidence (issue 20 #11): a 403 to a signed-in caller becomes `access.denied` in
 * its acting tenant's log; a refused bearer token (unknown, expired, revoked) names no tenant
 * that could own the event, so it is a warning in the request log, without the token.
 */
export function installRefusalAudit(app: FastifyInstance, deps: AuthDeps): void {
  app.addHook('onError', async (req, _reply, err) => {
    if (!isAppError(err)) return;
    const route = req.routeOptions.url ?? 'unknown';
    // An app's own token names no user the event could name as actor: the request log has it.
    if (ERROR_CODES[err.code].status === 403 && req.principal?.app?.onBehalfOf === 'app') {
      req.log.warn({ event: 'access.denied', route, clientId: req.principal.app.clientId }, 'app refused');
      return;
    }
    if (ERROR_CODES[err.code].status === 403 && req.principal) {
      await auditRefusal(deps, req.principal.ctx, { code: err.code, method: req.method, route }).catch((e) =>
        req.log.warn({ err: e }, 'could not write access.denied'),
      );
      return;
    }
    if (err.code === 'auth.unauthenticated' && typeof req.headers.authorization === 'string' && !req.principal) {
      req.log.warn({ event: 'auth.bearer_rejected', route, ip: req.ip }, 'bearer token refused');
    }
  });
}
