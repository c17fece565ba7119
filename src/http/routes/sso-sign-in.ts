import { Type } from '@sinclair/typebox';
import { ssoLogout, switchLinkedTenant } from '../../app/sso/msp.js';
import { startSelfLink } from '../../app/sso/self-link.js';
import { completeSso, signInOptions, startSso } from '../../app/sso/sign-in.js';
import { clearSessionCookie, metaOf, principalOf, setSessionCookie } from '../plugins/auth.js';
import { browserErrorHandler } from '../plugins/browser-pages.js';
import { errors, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['auth'];
const Params = Type.Object({ connectionId: Uuid }, strict);
const Redirect = Type.Null({ description: 'Redirect (Location header)' });

/** The OIDC sign-in flow and the MSP switch. */
export function ssoSignInRoutes(app: Api, r: RouteDeps): void {
  const { deps } = r;
  // Binds a started flow to this browser; Lax so the provider's top-level redirect carries it.
  const flowCookie = r.secureCookies ? '__Host-kontor_sso' : 'kontor_sso';
  const cookieOpts = { httpOnly: true, sameSite: 'lax', secure: r.secureCookies, path: '/' } as const;

  app.get(
    '/auth/sso/options',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'The SSO sign-in options of a tenant (by slug), for its login page',
        querystring: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 63 }) }, strict),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ id: Uuid, name: Type.String(), startUrl: Type.String() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await signInOptions(deps, req.query.tenant) }),
  );

  // A browser navigates to start and callback: a refusal there is a page it can show.
  app.get(
    '/auth/sso/:connectionId/start',
    {
      config: { auth: 'none' },
      errorHandler: browserErrorHandler,
      schema: {
        tags,
        summary: 'Start an OIDC sign-in: redirects to the provider (PKCE S256, state, nonce)',
        params: Params,
        querystring: Type.Object(
          {
            tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Tenant slug' })),
            returnTo: Type.Optional(Type.String({ maxLength: 500, description: 'A path on this server' })),
          },
          strict,
        ),
        response: { 302: Redirect, ...errors },
      },
    },
    async (req, reply) => {
      const res = await startSso(deps, { connectionId: req.params.connectionId, ...req.query }, metaOf(req));
      reply.setCookie(flowCookie, res.browser, { ...cookieOpts, maxAge: deps.sso?.flowSeconds ?? 600 });
      return reply.redirect(res.redirectUrl, 302);
    },
  );

  app.get(
    '/auth/sso/:connectionId/callback',
    {
      config: { auth: 'none' },
      errorHandler: browserErrorHandler,
      schema: {
        tags,
        summary: 'Where the provider returns; opens the Kontor session and redirects to returnTo',
        params: Params,
        querystring: Type.Object({ state: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 303: Redirect, ...errors },
      },
    },
    async (req, reply) => {
      const raw = req.raw.url ?? '';
      const query = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
      reply.clearCookie(flowCookie, cookieOpts);
      const res = await completeSso(
        deps,
        {
          connectionId: req.params.connectionId,
          query,
          state: req.query.state,
          browser: req.cookies[flowCookie],
          previousSessionId: req.cookies[r.cookieName],
        },
        metaOf(req),
      );
      if (res.kind === 'signed-in') setSessionCookie(reply, r, res.sessionId, deps.settings.sessionAbsoluteSeconds);
      return reply.redirect(res.returnTo ?? '/', 303);
    },
  );

  app.post(
    '/me/sso-links',
    {
      config: { noIdempotency: true },
      schema: {
        tags: ['me'],
        summary: 'Link an own external identity: answers the provider URL to send the browser to',
        body: Type.Object({ connectionId: Uuid, returnTo: Type.Optional(Type.String({ maxLength: 500 })) }, strict),
        response: { 200: Type.Object({ redirectUrl: Type.String() }), ...errors },
      },
    },
    async (req, reply) => {
      const res = await startSelfLink(deps, principalOf(req), req.body);
      reply.setCookie(flowCookie, res.browser, { ...cookieOpts, maxAge: deps.sso?.flowSeconds ?? 600 });
      return { redirectUrl: res.redirectUrl };
    },
  );

  app.post(
    '/auth/sso/logout',
    {
      config: { allowPending: true, noIdempotency: true },
      schema: {
        tags,
        summary: 'End the session; for an SSO session also the provider URL for RP-initiated logout',
        response: { 200: Type.Object({ endSessionUrl: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req, reply) => {
      const res = await ssoLogout(deps, principalOf(req));
      clearSessionCookie(reply, r);
      return res;
    },
  );

  app.post(
    '/auth/sso/switch',
    {
      config: { noIdempotency: true },
      schema: {
        tags,
        summary: 'Sign in as the user linked to the same external identity in another tenant',
        body: Type.Object({ tenantId: Uuid }, strict),
        response: {
          200: Type.Object({ userId: Uuid, tenantId: Uuid, csrfToken: Type.String(), expiresAt: Time }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await switchLinkedTenant(deps, principalOf(req), req.body.tenantId);
      const left = Math.max(1, Math.floor((res.expiresAt.getTime() - Date.now()) / 1000));
      setSessionCookie(reply, r, res.sessionId, left);
      return { userId: res.user.id, tenantId: res.tenant.id, csrfToken: res.csrfToken, expiresAt: res.expiresAt };
    },
  );
}
