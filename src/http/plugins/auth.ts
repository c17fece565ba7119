import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../app/auth/auth-deps.js';
import { resolvePrincipal } from '../../app/auth/sessions.js';
import { assertStepUp } from '../../app/auth/step-up.js';
import type { Ctx, RequestMeta } from '../../app/context.js';
import { looksLikeJwt } from '../../app/oidc/decision-tokens.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { RouteDeps } from '../types.js';

/** Methods that change state: they need the CSRF token with a cookie session. */
export const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip ?? null, requestId: String(req.id) });

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('auth.unauthenticated', 'Sign-in required');
  return req.principal;
}

export const ctxOf = (req: FastifyRequest): Ctx => principalOf(req).ctx;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  // Kontor's API tokens are 43 characters; an OP access token (a JWT) is a few hundred.
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(h);
  if (!m?.[1]) throw new AppError('auth.unauthenticated', 'Use Authorization: Bearer <token>');
  return m[1];
}

/**
 * Resolves the principal before the body is even parsed: a bearer token or the session
 * cookie. Cookie-authenticated writes must carry the session's CSRF token in X-CSRF-Token
 * (bearer requests are exempt: a browser never adds that header by itself). A user with a
 * forced password change reaches only the routes marked `allowPending`.
 */
export function installAuth(app: FastifyInstance, r: RouteDeps): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const config = req.routeOptions.config ?? {};
    const url = req.routeOptions.url ?? '';
    const mode = config.auth ?? (url.startsWith('/api/v1/') ? 'required' : 'none');
    if (mode === 'none') return;
    const bearer = bearerOf(req);
    const sessionId = bearer === undefined ? req.cookies[r.cookieName] : undefined;
    let p: Principal | undefined;
    try {
      // An OP access token is a JWT, never one of Kontor's API tokens: only the decision API
      // takes it (decision 0016); anywhere else it is refused without a lookup.
      if (bearer !== undefined && looksLikeJwt(bearer)) {
        if (!config.opTokens || !r.opTokens) {
          throw new AppError(
            'auth.unauthenticated',
            'An app’s access token is accepted by /check and /check/batch only',
          );
        }
        p = await r.opTokens(bearer, metaOf(req));
      } else p = await resolvePrincipal(r.deps, { sessionId, bearer }, metaOf(req));
    } catch (e) {
      // Only a session that is really gone loses its cookie: a database outage (503) must not
      // sign every browser out.
      if (sessionId && isAppError(e) && e.code === 'auth.unauthenticated') clearSessionCookie(reply, r);
      throw e;
    }
    if (!p) {
      if (sessionId) clearSessionCookie(reply, r);
      if (mode === 'required') throw new AppError('auth.unauthenticated', 'Sign-in required');
      return;
    }
    req.principal = p;
    if (p.kind === 'session' && UNSAFE.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !p.csrfToken || !sameSecret(sent, p.csrfToken)) {
        throw new AppError('auth.csrf', 'Send the CSRF token from sign-in or /me in X-CSRF-Token');
      }
    }
    if (p.mustChangePassword && !config.allowPending) {
      throw new AppError('auth.password_change_required', 'Change your password first (POST /api/v1/me/password)');
    }
    // Issue 16: a session the policy obliges to a second factor it has not shown opens only
    // enrolment, /me and sign-out, on every request (a policy change bumps the cache version).
    if (p.mfaRestricted && !config.allowMfaEnrolment) {
      throw new AppError(
        'mfa.enrolment_required',
        'Enrol a second factor first (POST /api/v1/me/mfa/totp), or prove yours (POST /api/v1/me/mfa/verify)',
      );
    }
    if (config.stepUp) await assertStepUp(r.deps, p);
  });
}

export function setSessionCookie(reply: FastifyReply, r: RouteDeps, sessionId: string, maxAgeSeconds: number): void {
  reply.setCookie(r.cookieName, sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    secure: r.secureCookies,
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, r: RouteDeps): void {
  reply.clearCookie(r.cookieName, { httpOnly: true, sameSite: 'lax', secure: r.secureCookies, path: '/' });
}
