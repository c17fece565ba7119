import { Type } from '@sinclair/typebox';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { scimChangeUser, scimCreateUser, scimDeleteUser, scimGetUser } from '../app/scim/scim-users.js';
import { listAnswer, USERS } from './listing.js';
import { parsePatch } from './patch-ops.js';
import { project, projectionOf } from './projection.js';
import { callOf, type ScimApi, sendScim } from './scim-call.js';
import { URN } from './scim-schemas.js';
import { applyUserPatch } from './user-patch.js';
import { userFromScim, userLocation, userToScim } from './user-wire.js';

const Params = Type.Object({ tenant: Type.String({ maxLength: 63 }), id: Type.String({ maxLength: 64 }) });
const TenantParams = Type.Object({ tenant: Type.String({ maxLength: 63 }) });
// RFC 7644 §3.9: any answer that carries a resource can be cut to the attributes asked for.
const Projection = {
  attributes: Type.Optional(Type.String({ maxLength: 1000 })),
  excludedAttributes: Type.Optional(Type.String({ maxLength: 1000 })),
};
export const ProjectionQuery = Type.Object(Projection);
export const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 1000 })),
  startIndex: Type.Optional(Type.String({ maxLength: 12 })),
  count: Type.Optional(Type.String({ maxLength: 12 })),
  ...Projection,
});

/** /Users: each handler maps the wire format and calls one SCIM use case. */
export function userRoutes(app: ScimApi, deps: ScimDeps): void {
  const one = { hide: true, params: Params, querystring: ProjectionQuery };
  app.get(
    '/:tenant/Users',
    { schema: { hide: true, params: TenantParams, querystring: ListQuery } },
    async (req, reply) => sendScim(reply, 200, await listAnswer(deps, callOf(req), USERS, req.query)),
  );

  app.post(
    '/:tenant/Users',
    { schema: { hide: true, params: TenantParams, querystring: ProjectionQuery } },
    async (req, reply) => {
      const projection = projectionOf(req.query);
      const { ctx, tenant, base } = callOf(req);
      const created = await scimCreateUser(deps, ctx, tenant.id, userFromScim(req.body));
      reply.header('location', userLocation(base, created.user.id));
      return sendScim(reply, 201, project(userToScim(created, base), URN.user, projection));
    },
  );

  app.get('/:tenant/Users/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const r = await scimGetUser(deps, ctx, tenant.id, req.params.id);
    return sendScim(reply, 200, project(userToScim(r, base), URN.user, projection));
  });

  app.put('/:tenant/Users/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const next = userFromScim(req.body);
    const r = await scimChangeUser(deps, ctx, { tenantId: tenant.id, userId: req.params.id, change: () => next });
    return sendScim(reply, 200, project(userToScim(r, base), URN.user, projection));
  });

  app.patch('/:tenant/Users/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const ops = parsePatch(req.body);
    const r = await scimChangeUser(deps, ctx, {
      tenantId: tenant.id,
      userId: req.params.id,
      change: (current) => applyUserPatch(current, ops),
    });
    return sendScim(reply, 200, project(userToScim(r, base), URN.user, projection));
  });

  app.delete('/:tenant/Users/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant } = callOf(req);
    await scimDeleteUser(deps, ctx, tenant.id, req.params.id);
    return reply.code(204).send();
  });
}
