import { Type } from '@sinclair/typebox';
import { tenantAdvisories } from '../../app/advisories.js';
import { readAudit } from '../../app/audit-log.js';
import { ctxOf } from '../plugins/auth.js';
import { staleReads } from '../plugins/read-your-writes.js';
import { AnyObject, DateTime, errors, IdParams, Nullable, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;

const AuditEvent = Type.Object({
  seq: Type.Integer(),
  at: Time,
  tenantId: Uuid,
  actorUserId: Nullable(Uuid),
  actorTenantId: Nullable(Uuid),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Nullable(Type.String()),
  details: AnyObject,
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  prevHash: Type.String(),
  hash: Type.String(),
});

export function auditRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Activity log of the acting tenant, newest first (operation roles: system events only)',
        params: IdParams,
        querystring: Type.Object(
          {
            actor: Type.Optional(Uuid),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            target: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(DateTime),
            to: Type.Optional(DateTime),
            cursor: Type.Optional(
              Type.String({ pattern: '^[0-9]{1,15}$', description: 'nextCursor of the previous page' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          strict,
        ),
        response: {
          200: Type.Object({ items: Type.Array(AuditEvent), nextCursor: Nullable(Type.String()) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const limit = q.limit ?? 100;
      const items = await readAudit(staleReads(req, deps), ctxOf(req), req.params.id, {
        limit,
        ...(q.actor ? { actorUserId: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.target ? { targetId: q.target } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.cursor ? { beforeSeq: Number(q.cursor) } : {}),
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === limit && last ? String(last.seq) : null };
    },
  );

  app.get(
    '/tenants/:id/advisories',
    {
      schema: {
        tags: ['audit'],
        summary: 'Security advisories that apply to the tenant now',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                code: Type.String(),
                message: Type.String(),
                userId: Uuid,
                loginName: Type.String(),
                shareId: Type.Optional(Uuid),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await tenantAdvisories(deps, ctxOf(req), req.params.id) }),
  );
}
