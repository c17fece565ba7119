import { Type } from '@sinclair/typebox';
import {
  scimChangeGroup,
  scimCreateGroup,
  scimDeleteGroup,
  scimGetGroup,
  scimListGroups,
} from '../app/scim/scim-groups.js';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { listResponse } from './discovery.js';
import { applyGroupPatch, groupFromScim, groupToScim } from './group-wire.js';
import { excludes, listQueryOf } from './list-query.js';
import { parsePatch } from './patch-ops.js';
import { callOf, type ScimApi, sendScim } from './scim-call.js';
import { URN } from './scim-schemas.js';

const Params = Type.Object({ tenant: Type.String({ maxLength: 63 }), id: Type.String({ maxLength: 64 }) });
const TenantParams = Type.Object({ tenant: Type.String({ maxLength: 63 }) });
const Query = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 1000 })),
  startIndex: Type.Optional(Type.String({ maxLength: 12 })),
  count: Type.Optional(Type.String({ maxLength: 12 })),
  attributes: Type.Optional(Type.String({ maxLength: 1000 })),
  excludedAttributes: Type.Optional(Type.String({ maxLength: 1000 })),
});
// Entra asks `id eq "g" and members eq "u"` to learn whether a user is (still) a member.
const GROUP_FILTERS = {
  displayname: 'displayName',
  externalid: 'externalId',
  id: 'id',
  members: 'members',
  'members.value': 'members',
} as const;

/** /Groups: the tenant's companies; members are the users limited to a company. */
export function groupRoutes(app: ScimApi, deps: ScimDeps): void {
  app.get(
    '/:tenant/Groups',
    { schema: { hide: true, params: TenantParams, querystring: Query } },
    async (req, reply) => {
      const { ctx, tenant, base } = callOf(req);
      const q = listQueryOf(req.query, GROUP_FILTERS, URN.group);
      const page = await scimListGroups(deps, ctx, tenant.id, q);
      const withMembers = !excludes(req.query, 'members');
      const resources = page.items.map((g) => groupToScim(g, base, withMembers));
      return sendScim(reply, 200, listResponse(resources, page.total, q.startIndex));
    },
  );

  app.post('/:tenant/Groups', { schema: { hide: true, params: TenantParams } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const created = await scimCreateGroup(deps, ctx, tenant.id, groupFromScim(req.body));
    reply.header('location', `${base}/Groups/${created.company.id}`);
    return sendScim(reply, 201, groupToScim(created, base));
  });

  app.get('/:tenant/Groups/:id', { schema: { hide: true, params: Params, querystring: Query } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const g = await scimGetGroup(deps, ctx, tenant.id, req.params.id);
    return sendScim(reply, 200, groupToScim(g, base, !excludes(req.query, 'members')));
  });

  app.put('/:tenant/Groups/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const next = groupFromScim(req.body);
    const g = await scimChangeGroup(deps, ctx, { tenantId: tenant.id, groupId: req.params.id, change: () => next });
    return sendScim(reply, 200, groupToScim(g, base));
  });

  app.patch('/:tenant/Groups/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant, base } = callOf(req);
    const ops = parsePatch(req.body);
    const g = await scimChangeGroup(deps, ctx, {
      tenantId: tenant.id,
      groupId: req.params.id,
      change: (current) => applyGroupPatch(current, ops),
    });
    return sendScim(reply, 200, groupToScim(g, base));
  });

  app.delete('/:tenant/Groups/:id', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const { ctx, tenant } = callOf(req);
    await scimDeleteGroup(deps, ctx, tenant.id, req.params.id);
    return reply.code(204).send();
  });
}
