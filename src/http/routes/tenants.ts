import { Type } from '@sinclair/typebox';
import {
  createChildTenant,
  deleteTenant,
  getTenant,
  listChildren,
  listSubtree,
  moveTenant,
  updateTenant,
} from '../../app/tenants.js';
import { etag, expectedVersion } from '../conditional.js';
import { ctxOf } from '../plugins/auth.js';
import { staleReads } from '../plugins/read-your-writes.js';
import {
  CreateUserBody,
  errors,
  IdParams,
  NoContent,
  Page,
  Tenant,
  TenantSettings,
  UserView,
  Uuid,
  Warning,
} from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['tenants'];
const Slug = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' });

export function tenantRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id',
    {
      schema: {
        tags,
        summary: 'The acting tenant or a direct customer',
        params: IdParams,
        response: { 200: Tenant, ...errors },
      },
    },
    async (req, reply) => {
      const t = await getTenant(deps, ctxOf(req), req.params.id);
      reply.header('etag', etag(t.version));
      return t;
    },
  );

  app.patch(
    '/tenants/:id',
    {
      schema: {
        tags,
        summary: 'Rename, change sign-up settings, or suspend/resume a direct customer via status',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
            settings: Type.Optional(TenantSettings),
          },
          strict,
        ),
        response: { 200: Tenant, ...errors },
      },
    },
    async (req, reply) => {
      const t = await updateTenant(deps, ctxOf(req), {
        tenantId: req.params.id,
        expectedVersion: expectedVersion(req),
        ...req.body,
      });
      reply.header('etag', etag(t.version));
      return t;
    },
  );

  app.delete(
    '/tenants/:id',
    {
      schema: {
        tags,
        summary: 'Remove a direct customer without children',
        params: IdParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await deleteTenant(deps, ctxOf(req), { tenantId: req.params.id });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/tenants/:id/move',
    {
      schema: {
        tags,
        summary: 'Re-parent a tenant below the acting tenant (no cycles, kinds stay valid)',
        params: IdParams,
        body: Type.Object({ parentId: Uuid }, strict),
        response: { 200: Tenant, ...errors },
      },
    },
    async (req) => moveTenant(deps, ctxOf(req), { tenantId: req.params.id, newParentId: req.body.parentId }),
  );

  app.get(
    '/tenants/:id/children',
    {
      schema: {
        tags,
        summary: 'Direct customers (and carriers) of the acting tenant',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Tenant) }), ...errors },
      },
    },
    async (req) => ({ items: await listChildren(staleReads(req, deps), ctxOf(req), req.params.id) }),
  );

  app.get(
    '/tenants/:id/subtree',
    {
      schema: {
        tags,
        summary: 'The whole tree below the acting tenant, depth-first (path order), paginated',
        params: IdParams,
        querystring: Type.Object(
          {
            cursor: Type.Optional(Uuid),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Tenant), ...errors },
      },
    },
    async (req) => listSubtree(staleReads(req, deps), ctxOf(req), req.params.id, req.query),
  );

  app.post(
    '/tenants/:id/children',
    {
      config: { replayable: true },
      schema: {
        tags,
        summary: 'Create a customer or carrier with its primary login (R5)',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('reseller'), Type.Literal('consumer'), Type.Literal('carrier')]),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            slug: Slug,
            primaryUser: Type.Optional(Type.Omit(CreateUserBody, ['type'], strict)),
          },
          strict,
        ),
        response: {
          201: Type.Object({
            tenant: Tenant,
            primaryUser: Type.Optional(Type.Omit(UserView, ['relation', 'rolesReadOnly', 'emailVerified'])),
            warnings: Type.Array(Warning),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const created = await createChildTenant(deps, ctxOf(req), { parentId: req.params.id, ...req.body });
      return reply.code(201).send(created);
    },
  );
}
