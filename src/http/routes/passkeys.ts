import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { LoginResult } from '../../app/auth/login.js';
import {
  finishPasskeyRegistration,
  passkeyOptionsForPendingLogin,
  passkeyOptionsForSession,
  passkeyOptionsForTenant,
  signInWithPasskey,
  startPasskeyRegistration,
} from '../../app/auth/passkeys.js';
import { metaOf, principalOf, setSessionCookie } from '../plugins/auth.js';
import { AnyObject, errors, PasswordText, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const Options = Type.Object(
  { challenge: Type.String() },
  { additionalProperties: true, description: 'For navigator.credentials' },
);
const open = { auth: 'none', noIdempotency: true } as const;

/** Passkeys (issue 16 #1): registration for the signed-in user, second step and passwordless sign-in. */
export function passkeyRoutes(app: Api, r: RouteDeps): void {
  const { deps } = r;

  app.post(
    '/me/mfa/passkeys/options',
    {
      config: { allowMfaEnrolment: true, noIdempotency: true },
      schema: {
        tags: ['me'],
        summary: 'Creation options for a new passkey (current password again)',
        body: Type.Object({ currentPassword: Type.Optional(PasswordText) }, strict),
        response: { 200: Options, ...errors },
      },
    },
    async (req) => startPasskeyRegistration(deps, principalOf(req), req.body),
  );

  app.post(
    '/me/mfa/passkeys',
    {
      config: { allowMfaEnrolment: true, secretBearing: true },
      schema: {
        tags: ['me'],
        summary: 'Register the passkey from the browser’s answer; the first factor brings ten recovery codes',
        body: Type.Object(
          { response: AnyObject, label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          strict,
        ),
        response: {
          201: Type.Object({
            factor: Type.Object({ id: Uuid, kind: Type.String(), label: Type.String(), createdAt: Time }),
            recoveryCodes: Type.Optional(Type.Array(Type.String())),
            csrfToken: Type.Optional(Type.String({ description: 'The renewed session’s (new cookie)' })),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await finishPasskeyRegistration(deps, principalOf(req), req.body);
      if (res.session) setSessionCookie(reply, r, res.session.sessionId, deps.settings.sessionAbsoluteSeconds);
      return reply.code(201).send({
        factor: res.factor,
        ...(res.recoveryCodes ? { recoveryCodes: res.recoveryCodes } : {}),
        ...(res.session ? { csrfToken: res.session.csrfToken } : {}),
      });
    },
  );

  app.post(
    '/me/mfa/verify/passkey-options',
    {
      config: { allowMfaEnrolment: true, noIdempotency: true },
      schema: {
        tags: ['me'],
        summary: 'Request options for proving a passkey in this session (then POST /me/mfa/verify {passkey})',
        response: { 200: Options, ...errors },
      },
    },
    async (req) => passkeyOptionsForSession(deps, principalOf(req)),
  );

  app.post(
    '/auth/login/passkey-options',
    {
      config: open,
      schema: {
        tags: ['auth'],
        summary: 'Request options for the second step with a passkey (after the password)',
        body: Type.Object({ pendingToken: Type.String({ minLength: 1, maxLength: 200 }) }, strict),
        response: { 200: Options, ...errors },
      },
    },
    async (req) => passkeyOptionsForPendingLogin(deps, req.body.pendingToken),
  );

  app.post(
    '/auth/passkey/options',
    {
      config: open,
      schema: {
        tags: ['auth'],
        summary: 'Request options for a passwordless sign-in with a passkey in a tenant',
        body: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 63 }) }, strict),
        response: { 200: Options, ...errors },
      },
    },
    async (req) => passkeyOptionsForTenant(deps, req.body.tenant),
  );

  app.post(
    '/auth/passkey',
    {
      config: open,
      schema: {
        tags: ['auth'],
        summary: 'Passwordless sign-in with a passkey (where the policy allows passkeys); sets the session cookie',
        body: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 63 }), response: AnyObject }, strict),
        response: {
          200: Type.Object({
            user: Type.Object({ id: Uuid }, { additionalProperties: true }),
            tenantId: Uuid,
            csrfToken: Type.String(),
            expiresAt: Time,
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await signInWithPasskey(
        deps,
        { ...req.body, previousSessionId: req.cookies[r.cookieName] },
        metaOf(req),
      );
      return sessionAnswer(reply, r, res);
    },
  );
}

function sessionAnswer(reply: FastifyReply, r: RouteDeps, res: LoginResult) {
  setSessionCookie(reply, r, res.sessionId, r.deps.settings.sessionAbsoluteSeconds);
  return { user: { id: res.user.id }, tenantId: res.tenant.id, csrfToken: res.csrfToken, expiresAt: res.expiresAt };
}
