import { Type } from '@sinclair/typebox';
import { createApiToken, listApiTokens, revokeApiToken } from '../../app/auth/api-tokens.js';
import { me } from '../../app/auth/me.js';
import { changePassword } from '../../app/auth/passwords.js';
import { switchActingTenant } from '../../app/auth/sessions.js';
import { principalOf } from '../plugins/auth.js';
import { ApiToken, DateTime, errors, IdParams, NoContent, PasswordText, Tenant, Time, User, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['me'];

export function meRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/me',
    {
      config: { allowPending: true, allowMfaEnrolment: true },
      schema: {
        tags,
        summary: 'The signed-in user, acting tenant, permissions there and the tenants it may act for',
        response: {
          200: Type.Object({
            user: Type.Object({ ...User.properties, roles: Type.Array(Type.String()) }),
            actingTenant: Tenant,
            permissions: Type.Array(Type.String()),
            tenants: Type.Array(
              Type.Object({
                id: Uuid,
                name: Type.String(),
                slug: Type.String(),
                kind: Type.String(),
                relation: Type.String(),
              }),
            ),
            auth: Type.String({ description: 'session or token' }),
            csrfToken: Type.Optional(
              Type.String({ description: 'Send in X-CSRF-Token on writes with the session cookie' }),
            ),
            authentication: Type.Optional(
              Type.Object({
                amr: Type.Array(Type.String(), { description: 'RFC 8176 methods: pwd, otp, ...' }),
                authTime: Time,
                mfaEnrolmentRequired: Type.Boolean(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => me(deps, principalOf(req)),
  );

  app.put(
    '/me/acting-tenant',
    {
      schema: {
        tags,
        summary: 'Switch the acting tenant of the session (home or an imported share)',
        body: Type.Object({ tenantId: Uuid }, strict),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await switchActingTenant(deps, principalOf(req), req.body.tenantId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/password',
    {
      config: { allowPending: true },
      schema: {
        tags,
        summary: 'Change the own password with the current one (R8); other sessions end',
        body: Type.Object(
          {
            currentPassword: PasswordText,
            newPassword: PasswordText,
          },
          strict,
        ),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await changePassword(deps, principalOf(req), req.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me/tokens',
    {
      schema: {
        tags,
        summary: 'The own API tokens (never the secrets)',
        response: { 200: Type.Object({ items: Type.Array(ApiToken) }), ...errors },
      },
    },
    async (req) => ({ items: await listApiTokens(deps, principalOf(req)) }),
  );

  app.post(
    '/me/tokens',
    {
      config: { secretBearing: true, stepUp: true },
      schema: {
        tags,
        summary: 'Create an API token for yourself; the secret is shown once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresAt: Type.Optional(DateTime),
            actingTenantId: Type.Optional(Uuid),
          },
          strict,
        ),
        response: {
          201: Type.Object({
            ...ApiToken.properties,
            token: Type.String({ description: 'Use as Authorization: Bearer <token>' }),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await createApiToken(deps, principalOf(req), req.body)),
  );

  app.delete(
    '/me/tokens/:id',
    {
      schema: { tags, summary: 'Revoke an own API token', params: IdParams, response: { 204: NoContent, ...errors } },
    },
    async (req, reply) => {
      await revokeApiToken(deps, principalOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
