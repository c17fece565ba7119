import { Type } from '@sinclair/typebox';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { scimChangeUser, scimCreateUser, scimDeleteUser, scimGetUser, scimListUsers } from '../app/scim/scim-users.js';
import { listResponse } from './discovery.js';
import { listQueryOf } from './list-query.js';
import { parsePatch } from './patch-ops.js';
import { callOf, type ScimApi, sendScim } from './scim-call.js';
import { URN } from './scim-schemas.js';
import { applyUserPatch } from './user-patch.js';
import { userFromScim, userLocation, userToScim } from './user-wire.js';

const Params = Type.Object({ tenant: Type.String({ maxLength: 63 }), id: Type.String({ maxLength: 64 }) });
const TenantParams = Type.Object({ tenant: Type.String({ maxLength: 63 }) });
const ListQuery = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 1000 })),
  startIndex: Type.Optional(Type.String({ maxLength: 12 })),
  count: Type.Optional(Type.String({ maxLength: 12 })),
  attributes: Type.Optional(Type.String({ maxLength: 1000 })),
  excludedAttributes: Type.Optional(Type.String({ maxLength: 1000 })),
});
// Filterable attributes by lower-case path; Entra matches on userName, some set-ups on the address.
const USER_FILTERS = {
  username: 'userName',
  externalid: 'externalId',
  id: 'id',
  emails: 'email',
  'emails.value': 'email',
} as const;

/** /Users: each handler maps the wire format and calls one SCIM use case. */
export function userRoutes(app: ScimApi, deps: ScimDeps): void {
  app.get(
    '/:tenant/Users',
    { schema: { hide: true, params: TenantParams, querystring: ListQuery } },
    async (req, reply) => {
      const { ctx, tenant, base } = callOf(req);
      const q = listQueryOf(req.query, USER_FILTERS, URN.user);
      const page = await scimListUsers(deps, ctx, tenant.id, q);
      return sendScim(
        reply,
        200,
        listResponse(
          page.items.map((r) => userToScim(r, base)),
          page.total,
          q.startIndex,
        ),
      );
    },
  );

  app.post('/:tenant/Users', { schema: { hide: true, params: TenantParams } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const created = await scimCreateUser(deps, ctx, tenant.id, userFromScim(req.body));
    reply.header('location', userLocation(base, created.user.id));
    return sendScim(reply, 201, userToScim(created, base));
  });

  app.get('/:tenant/Users/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    return sendScim(reply, 200, userToScim(await scimGetUser(deps, ctx, tenant.id, req.params.id), base));
  });

  app.put('/:tenant/Users/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const next = userFromScim(req.body);
    const r = await scimChangeUser(deps, ctx, { tenantId: tenant.id, userId: req.params.id, change: () => next });
    return sendScim(reply, 200, userToScim(r, base));
  });

  app.patch('/:tenant/Users/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const ops = parsePatch(req.body);
    const r = await scimChangeUser(deps, ctx, {
      tenantId: tenant.id,
      userId: req.params.id,
      change: (current) => applyUserPatch(current, ops),
    });
    return sendScim(reply, 200, userToScim(r, base));
  });

  app.delete('/:tenant/Users/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant } = callOf(req);
    await scimDeleteUser(deps, ctx, tenant.id, req.params.id);
    return reply.code(204).send();
  });
}
