import { Type } from '@sinclair/typebox';
import { listUserFactors, resetUserFactors } from '../../app/auth/mfa-admin.js';
import {
  confirmTotpEnrolment,
  myFactors,
  regenerateRecoveryCodes,
  removeOwnFactor,
  startTotpEnrolment,
} from '../../app/auth/mfa-enrolment.js';
import { verifyFactorForSession } from '../../app/auth/verify-factor.js';
import { principalOf, setSessionCookie } from '../plugins/auth.js';
import { errors, IdParams, Nullable, PasswordText, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const Factor = Type.Object({
  id: Uuid,
  kind: Type.String({ description: 'totp or passkey' }),
  label: Type.String(),
  createdAt: Time,
  confirmedAt: Nullable(Time),
  lastUsedAt: Nullable(Time),
});
const RecentSignIn = Type.Object(
  { currentPassword: Type.Optional(PasswordText) },
  { ...strict, description: 'The current password again (accounts without one: a sign-in within the step-up window)' },
);
const RecoveryCodes = Type.Array(Type.String(), { description: 'Shown once; each works once' });

/** Own second factors (issue 16 #1) and an administrator's view and reset (issue 16 #3). */
export function mfaRoutes(app: Api, r: RouteDeps): void {
  const { deps } = r;
  const enrol = { allowMfaEnrolment: true } as const;

  app.get(
    '/me/mfa',
    {
      config: enrol,
      schema: {
        tags: ['me'],
        summary: 'The own second factors (never a secret), recovery codes left, whether policy requires one',
        response: {
          200: Type.Object({
            factors: Type.Array(Factor),
            recoveryCodesLeft: Type.Integer(),
            required: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    async (req) => myFactors(deps, principalOf(req)),
  );

  app.post(
    '/me/mfa/totp',
    {
      config: { ...enrol, secretBearing: true },
      schema: {
        tags: ['me'],
        summary: 'Start enrolling an authenticator app: the secret, otpauth URI and QR code, shown once',
        body: RecentSignIn,
        response: {
          201: Type.Object({
            factorId: Uuid,
            secret: Type.String(),
            otpauthUri: Type.String(),
            qrDataUrl: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await startTotpEnrolment(deps, principalOf(req), req.body)),
  );

  app.post(
    '/me/mfa/totp/confirm',
    {
      config: { ...enrol, secretBearing: true },
      schema: {
        tags: ['me'],
        summary: 'Confirm the authenticator app with a first code; the first factor brings ten recovery codes',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 10 }) }, strict),
        response: {
          200: Type.Object({
            factor: Factor,
            recoveryCodes: Type.Optional(RecoveryCodes),
            csrfToken: Type.Optional(
              Type.String({ description: 'The session was renewed with the factor (new cookie): use this token' }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await confirmTotpEnrolment(deps, principalOf(req), req.body);
      if (res.session) setSessionCookie(reply, r, res.session.sessionId, deps.settings.sessionAbsoluteSeconds);
      return {
        factor: res.factor,
        ...(res.recoveryCodes ? { recoveryCodes: res.recoveryCodes } : {}),
        ...(res.session ? { csrfToken: res.session.csrfToken } : {}),
      };
    },
  );

  app.post(
    '/me/mfa/verify',
    {
      config: enrol,
      schema: {
        tags: ['me'],
        summary: 'Prove a second factor for this session (after SSO, or a policy that began to require one)',
        body: Type.Union([
          Type.Object({ code: Type.String({ minLength: 1, maxLength: 10 }) }, strict),
          Type.Object({ recoveryCode: Type.String({ minLength: 1, maxLength: 40 }) }, strict),
          Type.Object(
            { passkey: Type.Record(Type.String(), Type.Unknown(), { description: 'The assertion' }) },
            strict,
          ),
        ]),
        response: {
          200: Type.Object({ csrfToken: Type.String({ description: 'The renewed session’s (new cookie)' }) }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const res = await verifyFactorForSession(deps, principalOf(req), req.body);
      setSessionCookie(reply, r, res.sessionId, deps.settings.sessionAbsoluteSeconds);
      return { csrfToken: res.csrfToken };
    },
  );

  app.post(
    '/me/mfa/factors/:id/remove',
    {
      schema: {
        tags: ['me'],
        summary: 'Remove an own second factor (current password again); with the last, the recovery codes go',
        params: IdParams,
        body: RecentSignIn,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await removeOwnFactor(deps, principalOf(req), req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/mfa/recovery-codes',
    {
      config: { secretBearing: true },
      schema: {
        tags: ['me'],
        summary: 'Ten new recovery codes, shown once; the old ones stop working',
        body: RecentSignIn,
        response: { 200: Type.Object({ recoveryCodes: RecoveryCodes }), ...errors },
      },
    },
    async (req) => regenerateRecoveryCodes(deps, principalOf(req), req.body),
  );

  app.get(
    '/users/:id/factors',
    {
      schema: {
        tags: ['users'],
        summary: "The user's second factors, kinds and dates only; needs users.password.reset and the rank rule",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Factor), recoveryCodesLeft: Type.Integer() }), ...errors },
      },
    },
    async (req) => listUserFactors(deps, principalOf(req), req.params.id),
  );

  app.post(
    '/users/:id/factors/reset',
    {
      config: { stepUp: true },
      schema: {
        tags: ['users'],
        summary: 'Remove every second factor and recovery code of the user (lost device); the user is mailed',
        params: IdParams,
        response: { 200: Type.Object({ removed: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (req) => resetUserFactors(deps, principalOf(req), req.params.id),
  );
}
