import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { type LoginResult, login } from '../../app/auth/login.js';
import { completeSecondFactor } from '../../app/auth/login-second-factor.js';
import { setPasswordWithToken } from '../../app/auth/passwords.js';
import { logout } from '../../app/auth/sessions.js';
import { confirmSignup, signup } from '../../app/auth/signup.js';
import { clearSessionCookie, metaOf, principalOf, setSessionCookie } from '../plugins/auth.js';
import { errors, NoContent, PasswordText, Time, User, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['auth'];
// Secrets travel only in bodies; these routes never replay an Idempotency-Key answer.
const open = { auth: 'none', noIdempotency: true } as const;

const SignedIn = Type.Object({
  user: User,
  tenantId: Uuid,
  csrfToken: Type.String(),
  mustChangePassword: Type.Boolean(),
  mfaEnrolmentRequired: Type.Boolean({
    description: 'The security policy requires a second factor: the session opens only enrolment (/me/mfa)',
  }),
  expiresAt: Time,
});

const SecondFactorRequired = Type.Object({
  secondFactorRequired: Type.Literal(true),
  pendingToken: Type.String({ description: 'Send to /auth/login/second-factor with a code; valid for minutes' }),
  factors: Type.Array(Type.String()),
  expiresAt: Time,
});

const Token = Type.String({ minLength: 1, maxLength: 200 });

export function authRoutes(app: Api, r: RouteDeps): void {
  const { deps } = r;
  const signedIn = (reply: FastifyReply, res: LoginResult) => {
    setSessionCookie(reply, r, res.sessionId, deps.settings.sessionAbsoluteSeconds);
    return {
      user: res.user,
      tenantId: res.tenant.id,
      csrfToken: res.csrfToken,
      mustChangePassword: res.user.mustChangePassword,
      mfaEnrolmentRequired: res.mfaEnrolmentRequired,
      expiresAt: res.expiresAt,
    };
  };
  app.post(
    '/auth/login',
    {
      config: open,
      schema: {
        tags,
        summary: 'Sign in with tenant slug, login name and password; sets the session cookie',
        body: Type.Object(
          {
            tenant: Type.String({ minLength: 1, maxLength: 63 }),
            username: Type.String({ minLength: 1, maxLength: 254 }),
            password: PasswordText,
          },
          strict,
        ),
        response: { 200: Type.Union([SignedIn, SecondFactorRequired]), ...errors },
      },
    },
    async (req, reply) => {
      const res = await login(deps, { ...req.body, previousSessionId: req.cookies[r.cookieName] }, metaOf(req));
      if (res.kind === 'second_factor') {
        return {
          secondFactorRequired: true as const,
          pendingToken: res.pendingToken,
          factors: res.factors,
          expiresAt: res.expiresAt,
        };
      }
      return signedIn(reply, res);
    },
  );

  app.post(
    '/auth/login/second-factor',
    {
      config: open,
      schema: {
        tags,
        summary: 'Finish a sign-in with the pending token and a TOTP code or a recovery code; sets the session cookie',
        body: Type.Union([
          Type.Object({ pendingToken: Token, code: Type.String({ minLength: 1, maxLength: 10 }) }, strict),
          Type.Object({ pendingToken: Token, recoveryCode: Type.String({ minLength: 1, maxLength: 40 }) }, strict),
          Type.Object(
            {
              pendingToken: Token,
              passkey: Type.Record(Type.String(), Type.Unknown(), { description: 'The assertion' }),
            },
            strict,
          ),
        ]),
        response: { 200: SignedIn, ...errors },
      },
    },
    async (req, reply) => {
      const res = await completeSecondFactor(
        deps,
        { ...req.body, previousSessionId: req.cookies[r.cookieName] },
        metaOf(req),
      );
      return signedIn(reply, res);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { allowPending: true, allowMfaEnrolment: true, noIdempotency: true },
      schema: { tags, summary: 'End the session', response: { 204: NoContent, ...errors } },
    },
    async (req, reply) => {
      await logout(deps, principalOf(req));
      clearSessionCookie(reply, r);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/set-password',
    {
      config: open,
      schema: {
        tags,
        summary: 'Set a password with a one-time link token (from an administrator’s reset)',
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            newPassword: PasswordText,
          },
          strict,
        ),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await setPasswordWithToken(deps, req.body, metaOf(req));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/signup',
    {
      config: open,
      schema: {
        tags,
        summary: 'Self-registration of a consumer below a supplier that allows it; pending until confirmed',
        body: Type.Object(
          {
            supplier: Type.String({ minLength: 1, maxLength: 63 }),
            tenantName: Type.String({ minLength: 1, maxLength: 200 }),
            tenantSlug: Type.String({ minLength: 1, maxLength: 63 }),
            loginName: Type.String({ minLength: 1, maxLength: 254 }),
            email: Type.String({ format: 'email', maxLength: 254 }),
            password: PasswordText,
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          strict,
        ),
        response: { 202: Type.Object({ status: Type.Literal('pending') }), ...errors },
      },
    },
    async (req, reply) => reply.code(202).send(await signup(deps, req.body, metaOf(req))),
  );

  app.post(
    '/signup/confirm',
    {
      config: open,
      schema: {
        tags,
        summary: 'Confirm a sign-up with the single-use link token; the tenant becomes active',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, strict),
        response: {
          200: Type.Object({ tenantId: Uuid, slug: Type.String(), status: Type.Literal('active') }),
          ...errors,
        },
      },
    },
    async (req) => confirmSignup(deps, req.body, metaOf(req)),
  );
}
