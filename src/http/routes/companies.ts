import { Type } from '@sinclair/typebox';
import {
  createCompany,
  createField,
  deleteCompany,
  deleteField,
  listCompanies,
  listFields,
} from '../../app/companies.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams, NoContent, Nullable, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const SubParams = Type.Object({ id: Uuid, itemId: Uuid }, strict);

const Company = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  name: Type.String(),
  parentCompanyId: Nullable(Uuid),
  createdAt: Time,
});
const Field = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  required: Type.Boolean(),
  options: Type.Array(Type.String()),
});

/** Companies (multi-company) and custom field definitions of the acting tenant. */
export function companyRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id/companies',
    {
      schema: {
        tags: ['companies'],
        summary: 'Companies of the tenant',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Company) }), ...errors },
      },
    },
    async (req) => ({ items: await listCompanies(deps, ctxOf(req), req.params.id) }),
  );

  app.post(
    '/tenants/:id/companies',
    {
      config: { replayable: true },
      schema: {
        tags: ['companies'],
        summary: 'Create a company',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            parentCompanyId: Type.Optional(Type.Union([Uuid, Type.Null()])),
          },
          strict,
        ),
        response: { 201: Company, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createCompany(deps, ctxOf(req), { tenantId: req.params.id, ...req.body })),
  );

  app.delete(
    '/tenants/:id/companies/:itemId',
    {
      schema: {
        tags: ['companies'],
        summary: 'Remove a company',
        params: SubParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await deleteCompany(deps, ctxOf(req), { tenantId: req.params.id, companyId: req.params.itemId });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/tenants/:id/fields',
    {
      schema: {
        tags: ['fields'],
        summary: 'Custom field definitions',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Field) }), ...errors },
      },
    },
    async (req) => ({ items: await listFields(deps, ctxOf(req), req.params.id) }),
  );

  app.post(
    '/tenants/:id/fields',
    {
      config: { replayable: true },
      schema: {
        tags: ['fields'],
        summary: 'Define a custom field',
        params: IdParams,
        body: Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 63 }),
            label: Type.String({ minLength: 1, maxLength: 200 }),
            type: Type.Union(['text', 'number', 'boolean', 'date', 'select'].map((t) => Type.Literal(t))),
            required: Type.Optional(Type.Boolean()),
            options: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 })),
          },
          strict,
        ),
        response: { 201: Field, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createField(deps, ctxOf(req), { tenantId: req.params.id, ...req.body })),
  );

  app.delete(
    '/tenants/:id/fields/:itemId',
    {
      schema: {
        tags: ['fields'],
        summary: 'Remove a custom field definition',
        params: SubParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await deleteField(deps, ctxOf(req), { tenantId: req.params.id, fieldId: req.params.itemId });
      return reply.code(204).send(null);
    },
  );
}
