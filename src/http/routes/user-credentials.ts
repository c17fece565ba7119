import { Type } from '@sinclair/typebox';
import { endUserSessions, listUserTokens, revokeUserToken } from '../../app/auth/user-credentials.js';
import { principalOf } from '../plugins/auth.js';
import { ApiToken, errors, IdParams, NoContent, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const tags = ['users'];

/** An administrator's view of another user's credentials (issue 20 #4); the rank rule applies. */
export function userCredentialRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/users/:id/tokens',
    {
      schema: {
        tags,
        summary: "The user's API tokens (never the secrets); needs users.lock and the rank rule",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(ApiToken) }), ...errors },
      },
    },
    async (req) => ({ items: await listUserTokens(deps, principalOf(req), req.params.id) }),
  );

  app.delete(
    '/users/:id/tokens/:tokenId',
    {
      schema: {
        tags,
        summary: "Revoke one of the user's API tokens; it fails on its next request",
        params: Type.Object({ id: Uuid, tokenId: Uuid }, { additionalProperties: false }),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await revokeUserToken(deps, principalOf(req), req.params.id, req.params.tokenId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/users/:id/sessions/revoke',
    {
      schema: {
        tags,
        summary: 'End every session of the user (on oneself, all but the calling one); tokens stay',
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer({ minimum: 0 }) }), ...errors },
      },
    },
    async (req) => endUserSessions(deps, principalOf(req), req.params.id),
  );
}
