import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthDeps, Principal } from '../app/auth/auth-deps.js';
import { confirmTenantChoice, oidcTenantChoices } from '../app/oidc/acting-tenant.js';
import { AppError, isAppError } from '../domain/errors.js';
import { browserErrorHandler } from '../http/plugins/browser-pages.js';
import { errors } from '../http/schemas.js';
import { appOf, choose, consent, findInteraction, proceed, requestedScopes } from './interaction.js';
import type { OidcService } from './oidc-service.js';
import { simplePage } from './pages.js';

/** Binds the console's JSON calls to the browser that went through the OP's interaction URL. */
const BINDING_COOKIE = 'kontor_oidc_interaction';
const strict = { additionalProperties: false } as const;
const UidParams = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export interface OidcHttpOptions {
  service: OidcService;
  deps: AuthDeps;
  secureCookies: boolean;
}

/**
 * Kontor's OpenID Provider in the Fastify server: oidc-provider answers under /oidc (raw
 * request and response, the body left unread for it), Kontor answers the sign-in interaction
 * at /oidc/interaction/:uid with its own session, and the console's chooser and consent pages
 * call /api/v1/oidc/interactions/:uid.
 */
export async function installOidc(app: FastifyInstance, o: OidcHttpOptions): Promise<void> {
  await app.register(async (s) => {
    // oidc-provider parses its own bodies (form posts): Fastify must leave the stream unread.
    s.removeAllContentTypeParsers();
    s.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const raw = req.raw as FastifyRequest['raw'] & { originalUrl?: string };
      const url = raw.url ?? '/';
      // Mounted like Express does it: oidc-provider reads the mount path from originalUrl.
      raw.originalUrl = url;
      raw.url = url.slice('/oidc'.length) || '/';
      o.service.handle(raw, reply.raw);
    };
    s.route({
      method: ['GET', 'POST', 'OPTIONS'],
      url: '/oidc/*',
      config: { auth: 'none', noIdempotency: true },
      schema: { hide: true },
      handler,
    });
  });

  app.get(
    '/oidc/interaction/:uid',
    {
      config: { auth: 'optional', allowPending: true },
      schema: { hide: true, params: UidParams },
      // A person's browser lands here: never problem+json. A session that is no longer valid (its
      // user locked, its tenant suspended) is no session: back to the sign-in, which says why.
      errorHandler: (err, req, reply) => {
        const { uid } = (req.params ?? {}) as { uid?: string };
        if (isAppError(err) && err.code === 'auth.unauthenticated' && uid && /^[A-Za-z0-9_-]+$/.test(uid)) {
          return reply.redirect(signInFor(uid), 303);
        }
        return browserErrorHandler(err, req, reply);
      },
    },
    async (req, reply) => interactionPage(o, req as FastifyRequest<{ Params: { uid: string } }>, reply),
  );

  const interactionView = Type.Object({
    app: Type.Object({ name: Type.String(), firstParty: Type.Boolean() }),
    tenants: Type.Array(
      Type.Object({ id: Type.String(), slug: Type.String(), name: Type.String(), kind: Type.String() }),
    ),
    scopes: Type.Array(Type.String()),
    needsConsent: Type.Boolean(),
  });
  const redirect = Type.Object({ redirectTo: Type.String() });

  app.get(
    '/api/v1/oidc/interactions/:uid',
    {
      schema: {
        tags: ['oidc'],
        summary: 'What the app asks for (the console’s tenant chooser and consent pages)',
        params: UidParams,
        response: { 200: interactionView, ...errors },
      },
    },
    async (req) => {
      const { uid } = req.params as { uid: string };
      const i = await bound(o, req, uid);
      const p = req.principal as Principal;
      const a = await appOf(o.deps, i);
      const tenants = (await oidcTenantChoices(o.deps, p)).map((c) => c.tenant);
      return {
        app: { name: a.name, firstParty: a.firstParty },
        tenants,
        scopes: requestedScopes(i, a),
        needsConsent: !a.firstParty,
      };
    },
  );

  app.post(
    '/api/v1/oidc/interactions/:uid/tenant',
    {
      config: { noIdempotency: true },
      schema: {
        tags: ['oidc'],
        summary: 'Choose the tenant to act for in the app',
        params: UidParams,
        body: Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 64 }) }, strict),
        response: { 200: redirect, ...errors },
      },
    },
    async (req) => {
      const { uid } = req.params as { uid: string };
      const { tenantId } = req.body as { tenantId: string };
      const i = await bound(o, req, uid);
      const p = req.principal as Principal;
      const { choice } = await confirmTenantChoice(o.deps, p, (c) => c.tenant.id === tenantId);
      const step = await choose(o.service.provider, o.deps, i, p, choice);
      return { redirectTo: step.redirectTo };
    },
  );

  app.post(
    '/api/v1/oidc/interactions/:uid/consent',
    {
      config: { noIdempotency: true },
      schema: {
        tags: ['oidc'],
        summary: 'Approve or decline what a third-party app asks for',
        params: UidParams,
        body: Type.Object({ approve: Type.Boolean() }, strict),
        response: { 200: redirect, ...errors },
      },
    },
    async (req) => {
      const { uid } = req.params as { uid: string };
      const { approve } = req.body as { approve: boolean };
      const i = await bound(o, req, uid);
      const step = await consent(o.service.provider, o.deps, i, req.principal as Principal, approve);
      return { redirectTo: step.redirectTo };
    },
  );
}

const signInFor = (uid: string) => `/?return=${encodeURIComponent(`/oidc/interaction/${uid}`)}`;

/** The interaction, only for the browser that was sent to it (the binding cookie). */
async function bound(o: OidcHttpOptions, req: FastifyRequest, uid: string) {
  if (req.cookies[BINDING_COOKIE] !== uid) {
    throw new AppError('oidc.interaction_not_found', 'Open the app’s sign-in link in this browser again');
  }
  return findInteraction(o.service.provider, uid);
}

async function interactionPage(
  o: OidcHttpOptions,
  req: FastifyRequest<{ Params: { uid: string } }>,
  reply: FastifyReply,
) {
  const { uid } = req.params;
  const provider = o.service.provider;
  let i: Awaited<ReturnType<typeof findInteraction>>;
  try {
    // Checks the OP's own interaction cookie: only the browser that started the request goes on.
    i = await provider.interactionDetails(req.raw, reply.raw);
    if (i.uid !== uid) throw new Error('another interaction');
  } catch {
    return htmlPage(reply, 400, 'This sign-in has expired', ['Go back to the app and sign in again.']);
  }
  const p = req.principal;
  if (p?.kind !== 'session' || p.mustChangePassword || p.mfaRestricted) {
    return reply.redirect(signInFor(uid), 303);
  }
  reply.setCookie(BINDING_COOKIE, uid, {
    httpOnly: true,
    sameSite: 'lax',
    secure: o.secureCookies,
    path: `/api/v1/oidc/interactions/${uid}`,
    maxAge: 600,
  });
  try {
    const step = await proceed(provider, o.deps, i, p);
    return reply.redirect(step.redirectTo, 303);
  } catch (e) {
    if (isAppError(e) && (e.code === 'oidc.tenant_refused' || e.code === 'oidc.interaction_not_found')) {
      return htmlPage(reply, e.code === 'oidc.tenant_refused' ? 403 : 400, 'You cannot continue to the app', [
        e.code === 'oidc.tenant_refused'
          ? 'Your account may not act for this tenant. Ask an administrator of the tenant, or go back to the app and choose another one.'
          : e.message,
      ]);
    }
    throw e;
  }
}

function htmlPage(reply: FastifyReply, status: number, title: string, paragraphs: string[]) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(simplePage(title, paragraphs));
}
