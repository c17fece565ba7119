import { Type } from '@sinclair/typebox';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnection,
} from '../../app/sso/connections.js';
import { linkUser, listUserLinks, setEnablement, unlinkUser } from '../../app/sso/links.js';
import { expectedVersion } from '../conditional.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams, NoContent, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';
import { ssoSignInRoutes } from './sso-sign-in.js';

const strict = { additionalProperties: false } as const;
const tags = ['sso'];
const ConnParams = Type.Object({ id: Uuid, connectionId: Uuid }, strict);
const UserParams = Type.Object({ id: Uuid, userId: Uuid }, strict);
const UserConnParams = Type.Object({ id: Uuid, userId: Uuid, connectionId: Uuid }, strict);
const Names = (max: number) => Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: max });

const ClaimMapping = Type.Object(
  {
    subject: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 3 }),
    email: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
  },
  strict,
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  issuer: Type.String({ minLength: 8, maxLength: 500, description: 'Exactly the issuer the provider announces' }),
  clientId: Type.String({ minLength: 1, maxLength: 500 }),
  clientSecret: Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()], {
    description: 'Write-only: stored encrypted, never returned',
  }),
  scopes: Names(20),
  idTokenAlgs: Names(10),
  claimMapping: Type.Partial(ClaimMapping),
  vouchedDomains: Names(50),
  enabled: Type.Boolean(),
  linkPolicy: Type.Union([Type.Literal('manual'), Type.Literal('verified-email'), Type.Literal('jit')]),
  jitRoles: Names(50),
  offeredToSubtree: Type.Boolean(),
};
const { name, issuer, clientId, ...optional } = fields;
const CreateBody = Type.Object({ name, issuer, clientId, ...Type.Partial(Type.Object(optional)).properties }, strict);
const PatchBody = Type.Partial(Type.Object(fields), strict);

const Connection = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  name: Type.String(),
  issuer: Type.String(),
  clientId: Type.String(),
  hasClientSecret: Type.Boolean(),
  scopes: Type.Array(Type.String()),
  idTokenAlgs: Type.Array(Type.String()),
  claimMapping: ClaimMapping,
  vouchedDomains: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  linkPolicy: Type.String(),
  jitRoles: Type.Array(Type.String()),
  offeredToSubtree: Type.Boolean(),
  redirectUri: Type.String({ description: 'Register exactly this redirect URI at the provider' }),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time,
});
const Check = Type.Object({
  check: Type.Union(['discovery', 'issuer', 'code_flow', 'algorithms', 'jwks'].map((k) => Type.Literal(k))),
  ok: Type.Boolean(),
  detail: Type.String(),
});
const Checks = Type.Array(Check, {
  description: "What the provider's discovery document and key set say about this set-up; failed checks say what to fix",
});
/** A saved connection, with the checks its save ran (issue 21 #4): saved even when some fail. */
const Saved = Type.Composite([Connection, Type.Object({ checks: Type.Optional(Checks) })]);
const Link = Type.Object({
  tenantId: Uuid,
  userId: Uuid,
  connectionId: Uuid,
  issuer: Type.String(),
  subject: Type.String(),
  createdAt: Time,
  createdBy: Type.String(),
});

/** SSO connections of a tenant and identity links of its users (issue 4), `sso.manage`. */
export function ssoRoutes(app: Api, r: RouteDeps): void {
  const { deps } = r;
  const base = '/tenants/:id/sso-connections';
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'SSO connections of the tenant',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Connection) }), ...errors },
      },
    },
    async (req) => ({ items: await listConnections(deps, ctxOf(req), req.params.id) }),
  );
  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Add an OIDC connection',
        params: IdParams,
        body: CreateBody,
        response: { 201: Saved, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await createConnection(deps, ctxOf(req), req.params.id, req.body)),
  );
  app.get(
    `${base}/:connectionId`,
    { schema: { tags, summary: 'One connection', params: ConnParams, response: { 200: Connection, ...errors } } },
    async (req) => getConnection(deps, ctxOf(req), req.params.id, req.params.connectionId),
  );
  app.patch(
    `${base}/:connectionId`,
    {
      schema: {
        tags,
        summary: 'Change a connection (If-Match: "version" guards it)',
        params: ConnParams,
        body: PatchBody,
        response: { 200: Saved, ...errors },
      },
    },
    async (req) =>
      updateConnection(deps, ctxOf(req), req.params.id, req.params.connectionId, req.body, expectedVersion(req)),
  );
  app.post(
    `${base}/:connectionId/test`,
    {
      schema: {
        tags,
        summary: 'Test a connection against its provider (discovery, issuer, code flow, algorithms, keys)',
        params: ConnParams,
        response: { 200: Type.Object({ ok: Type.Boolean(), checks: Checks }), ...errors },
      },
    },
    async (req) => testConnection(deps, ctxOf(req), req.params.id, req.params.connectionId),
  );
  app.delete(
    `${base}/:connectionId`,
    {
      schema: {
        tags,
        summary: 'Remove a connection and its links',
        params: ConnParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await deleteConnection(deps, ctxOf(req), req.params.id, req.params.connectionId);
      return reply.code(204).send(null);
    },
  );
  for (const [method, enabled] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      `${base}/:connectionId/enablement`,
      {
        schema: {
          tags,
          summary: enabled
            ? 'Enable for this tenant a connection its supplier offers to the subtree'
            : 'Stop using a connection offered by a supplier',
          params: ConnParams,
          response: { 204: NoContent, ...errors },
        },
      },
      async (req, reply) => {
        await setEnablement(deps, ctxOf(req), req.params.id, req.params.connectionId, enabled);
        return reply.code(204).send(null);
      },
    );
  }
  app.get(
    '/tenants/:id/users/:userId/sso-links',
    {
      schema: {
        tags,
        summary: 'External identities linked to a user',
        params: UserParams,
        response: { 200: Type.Object({ items: Type.Array(Link) }), ...errors },
      },
    },
    async (req) => ({ items: await listUserLinks(deps, ctxOf(req), req.params.id, req.params.userId) }),
  );
  app.post(
    '/tenants/:id/users/:userId/sso-links',
    {
      schema: {
        tags,
        summary: 'Link a user to an external identity (subject as the claim mapping yields it)',
        params: UserParams,
        body: Type.Object(
          {
            connectionId: Uuid,
            subject: Type.String({ minLength: 1, maxLength: 500 }),
            issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          strict,
        ),
        response: { 201: Link, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await linkUser(deps, ctxOf(req), req.params.id, req.params.userId, req.body)),
  );
  app.delete(
    '/tenants/:id/users/:userId/sso-links/:connectionId',
    { schema: { tags, summary: 'Unlink', params: UserConnParams, response: { 204: NoContent, ...errors } } },
    async (req, reply) => {
      await unlinkUser(deps, ctxOf(req), req.params.id, req.params.userId, req.params.connectionId);
      return reply.code(204).send(null);
    },
  );
  ssoSignInRoutes(app, r);
}
