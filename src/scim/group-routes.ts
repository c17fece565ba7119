import { Type } from '@sinclair/typebox';
import { scimChangeGroup, scimCreateGroup, scimDeleteGroup, scimGetGroup } from '../app/scim/scim-groups.js';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { applyGroupPatch, groupFromScim, groupToScim } from './group-wire.js';
import { GROUPS, listAnswer } from './listing.js';
import { parsePatch } from './patch-ops.js';
import { project, projectionOf } from './projection.js';
import { callOf, type ScimApi, sendScim } from './scim-call.js';
import { URN } from './scim-schemas.js';
import { ListQuery, ProjectionQuery } from './user-routes.js';

const Params = Type.Object({ tenant: Type.String({ maxLength: 63 }), id: Type.String({ maxLength: 64 }) });
const TenantParams = Type.Object({ tenant: Type.String({ maxLength: 63 }) });

/** /Groups: the tenant's companies; members are the users limited to a company. */
export function groupRoutes(app: ScimApi, deps: ScimDeps): void {
  const one = { hide: true, params: Params, querystring: ProjectionQuery };
  // Entra lists groups with excludedAttributes=members: the projection takes them out.
  app.get(
    '/:tenant/Groups',
    { schema: { hide: true, params: TenantParams, querystring: ListQuery } },
    async (req, reply) => sendScim(reply, 200, await listAnswer(deps, callOf(req), GROUPS, req.query)),
  );

  app.post(
    '/:tenant/Groups',
    { schema: { hide: true, params: TenantParams, querystring: ProjectionQuery } },
    async (req, reply) => {
      const projection = projectionOf(req.query);
      const { ctx, tenant, base } = callOf(req);
      const created = await scimCreateGroup(deps, ctx, tenant.id, groupFromScim(req.body));
      reply.header('location', `${base}/Groups/${created.company.id}`);
      return sendScim(reply, 201, project(groupToScim(created, base), URN.group, projection));
    },
  );

  app.get('/:tenant/Groups/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const g = await scimGetGroup(deps, ctx, tenant.id, req.params.id);
    return sendScim(reply, 200, project(groupToScim(g, base), URN.group, projection));
  });

  app.put('/:tenant/Groups/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const next = groupFromScim(req.body);
    const g = await scimChangeGroup(deps, ctx, { tenantId: tenant.id, groupId: req.params.id, change: () => next });
    return sendScim(reply, 200, project(groupToScim(g, base), URN.group, projection));
  });

  app.patch('/:tenant/Groups/:id', { schema: one }, async (req, reply) => {
    const projection = projectionOf(req.query);
    const { ctx, tenant, base } = callOf(req);
    const ops = parsePatch(req.body);
    const g = await scimChangeGroup(deps, ctx, {
      tenantId: tenant.id,
      groupId: req.params.id,
      change: (current) => applyGroupPatch(current, ops),
    });
    return sendScim(reply, 200, project(groupToScim(g, base), URN.group, projection));
  });

  app.delete('/:tenant/Groups/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant } = callOf(req);
    await scimDeleteGroup(deps, ctx, tenant.id, req.params.id);
    return reply.code(204).send();
  });
}
