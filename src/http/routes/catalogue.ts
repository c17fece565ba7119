import { Type } from '@sinclair/typebox';
import { requirePermission } from '../../app/context.js';
import { listRoles } from '../../app/roles.js';
import { ctxOf } from '../plugins/auth.js';
import { errors } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const tags = ['catalogue'];

/** Role definitions and the permission catalogue: system data, readable by every signed-in user. */
export function catalogueRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/roles',
    {
      schema: {
        tags,
        summary: 'The role definitions',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                key: Type.String(),
                name: Type.String(),
                category: Type.String(),
                description: Type.String(),
                permissions: Type.Array(Type.String()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      ctxOf(req);
      return { items: await listRoles(deps) };
    },
  );

  app.get(
    '/permissions',
    {
      schema: {
        tags,
        summary: 'The permission catalogue (Kontor and installed apps)',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                key: Type.String(),
                scope: Type.String(),
                description: Type.String(),
                source: Type.String(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      ctxOf(req);
      return { items: deps.catalogue.list() };
    },
  );

  app.get(
    '/system/health',
    {
      schema: {
        tags,
        summary: 'Health for operators (system.health.read); no tenant data',
        response: { 200: Type.Object({ status: Type.String(), database: Type.String() }), ...errors },
      },
    },
    async (req) => {
      requirePermission(ctxOf(req).actor, 'system.health.read', deps.catalogue);
      await deps.store.read((r) => r.tenants.findRoot());
      return { status: 'ok', database: 'ok' };
    },
  );
}
