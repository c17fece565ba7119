import { Type } from '@sinclair/typebox';
import { assignRoles } from '../../app/assign-roles.js';
import { issuePasswordReset } from '../../app/auth/passwords.js';
import { unlockUser } from '../../app/auth/unlock.js';
import { createUser } from '../../app/create-user.js';
import { deleteUser, setUserState, updateUser } from '../../app/manage-user.js';
import { getPrimaryUser, getUser, listUsers } from '../../app/user-queries.js';
import { etag, expectedVersion } from '../conditional.js';
import { ctxOf } from '../plugins/auth.js';
import { staleReads } from '../plugins/read-your-writes.js';
import {
  AnyObject,
  CreateUserBody,
  errors,
  IdParams,
  NoContent,
  Page,
  Time,
  User,
  UserView,
  Uuid,
  Warning,
} from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['users'];

export function userRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id/users',
    {
      schema: {
        tags,
        summary: 'Users acting for the tenant: own users and imported shares (relation), paginated',
        params: IdParams,
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 1000 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            q: Type.Optional(Type.String({ maxLength: 200, description: 'Search in login name, email, display name' })),
            state: Type.Optional(
              Type.Union([Type.Literal('active'), Type.Literal('locked'), Type.Literal('disabled')]),
            ),
          },
          strict,
        ),
        response: { 200: Page(UserView), ...errors },
      },
    },
    async (req) => listUsers(staleReads(req, deps), ctxOf(req), { tenantId: req.params.id, ...req.query }),
  );

  app.post(
    '/tenants/:id/users',
    {
      config: { replayable: true },
      schema: {
        tags,
        summary: 'Create a secondary user (own tenant) or the primary user of a direct customer (R5)',
        params: IdParams,
        body: CreateUserBody,
        response: {
          201: Type.Object({ user: User, roles: Type.Array(Type.String()), warnings: Type.Array(Warning) }),
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createUser(deps, ctxOf(req), { tenantId: req.params.id, ...req.body })),
  );

  app.get(
    '/users/:id',
    {
      schema: { tags, summary: 'One user', params: IdParams, response: { 200: UserView, ...errors } },
    },
    async (req, reply) => {
      const u = await getUser(deps, ctxOf(req), req.params.id);
      reply.header('etag', etag(u.version));
      return u;
    },
  );

  app.get(
    '/tenants/:id/primary-user',
    {
      schema: {
        tags,
        summary: 'The primary user of a direct customer (R5); 404 when it has none',
        params: IdParams,
        response: { 200: UserView, ...errors },
      },
    },
    async (req, reply) => {
      const u = await getPrimaryUser(deps, ctxOf(req), req.params.id);
      reply.header('etag', etag(u.version));
      return u;
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Profile fields only; roles, state, password and tenant have their own endpoints',
        params: IdParams,
        body: Type.Object(
          {
            email: Type.Optional(Type.Union([Type.String({ format: 'email' }), Type.Null()])),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            customFields: Type.Optional(AnyObject),
            companyIds: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
          },
          strict,
        ),
        response: { 200: User, ...errors },
      },
    },
    async (req, reply) => {
      const u = await updateUser(deps, ctxOf(req), {
        userId: req.params.id,
        expectedVersion: expectedVersion(req),
        ...req.body,
      });
      reply.header('etag', etag(u.version));
      return u;
    },
  );

  app.delete(
    '/users/:id',
    {
      schema: { tags, summary: 'Delete a user', params: IdParams, response: { 204: NoContent, ...errors } },
    },
    async (req, reply) => {
      await deleteUser(deps, ctxOf(req), { userId: req.params.id });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/users/:id/roles',
    {
      config: { stepUp: true },
      schema: {
        tags,
        summary: 'Set the complete role set (R1–R6); the answer carries advisories as warnings',
        params: IdParams,
        body: Type.Object({ roles: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }) }, strict),
        response: {
          200: Type.Object({
            userId: Uuid,
            roles: Type.Array(Type.String()),
            added: Type.Array(Type.String()),
            removed: Type.Array(Type.String()),
            warnings: Type.Array(Warning),
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      assignRoles(deps, ctxOf(req), {
        userId: req.params.id,
        roles: req.body.roles,
        expectedVersion: expectedVersion(req),
      }),
  );

  // Locking is temporary (security, throttling); disabling is for users who left. Both end the
  // user's sessions and tokens on the next request; unlock and enable make it active again.
  const SUMMARY = {
    lock: 'Lock a user; its sessions fail on the next request',
    unlock: 'Unlock a user: lifts an administrator’s lock and the temporary lock of wrong passwords',
    disable: 'Disable a user (e.g. left the company); its sessions fail on the next request',
    enable: 'Enable a disabled user again',
  };
  for (const [action, state] of [
    ['lock', 'locked'],
    ['unlock', 'active'],
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        schema: {
          tags,
          summary: SUMMARY[action],
          params: IdParams,
          response: { 200: User, ...errors },
        },
      },
      // Unlock also lifts the temporary lock of wrong guesses (decision 0004).
      async (req) =>
        action === 'unlock'
          ? unlockUser(deps, ctxOf(req), req.params.id)
          : setUserState(deps, ctxOf(req), { userId: req.params.id, state }),
    );
  }

  app.post(
    '/users/:id/password-reset',
    {
      // The answer carries the link when the user has no address.
      config: { secretBearing: true, stepUp: true },
      schema: {
        tags,
        summary:
          'Issue a one-time, short-lived set-password link (sent by mail; returned only when the user has no email)',
        params: IdParams,
        response: {
          202: Type.Object({
            userId: Uuid,
            expiresAt: Time,
            delivery: Type.String(),
            link: Type.Optional(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => reply.code(202).send(await issuePasswordReset(deps, ctxOf(req), req.params.id)),
  );
}
