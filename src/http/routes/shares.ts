import { Type } from '@sinclair/typebox';
import { acceptShare, endShare, listShares, releaseShare } from '../../app/shares.js';
import { ctxOf } from '../plugins/auth.js';
import { DateTime, errors, IdParams, Share, Uuid, Warning } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['shares'];
const ShareWithWarnings = Type.Object({ share: Share, warnings: Type.Array(Warning) });

export function shareRoutes(app: Api, { deps }: RouteDeps): void {
  app.post(
    '/users/:id/shares',
    {
      config: { replayable: true },
      schema: {
        tags,
        summary: 'Release (offer) an own user to a tenant of the same line',
        params: IdParams,
        body: Type.Object({ tenantId: Uuid, expiresAt: Type.Optional(DateTime) }, strict),
        response: { 201: ShareWithWarnings, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await releaseShare(deps, ctxOf(req), { userId: req.params.id, ...req.body })),
  );

  app.get(
    '/tenants/:id/shares',
    {
      schema: {
        tags,
        summary: 'Offers and imports of the tenant with the roles each shared user carries',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                ...Share.properties,
                loginName: Type.String(),
                displayName: Type.String(),
                userType: Type.String(),
                roles: Type.Array(Type.String()),
                acceptedRoles: Type.Union([Type.Array(Type.String()), Type.Null()], {
                  description: 'the roles the importing tenant consented to; the user acts there with at most these',
                }),
                direction: Type.String(),
                otherTenant: Type.Object(
                  { id: Uuid, slug: Type.String(), name: Type.String() },
                  { description: 'released to (outgoing) or imported from (incoming)' },
                ),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ items: await listShares(deps, ctxOf(req), req.params.id) }),
  );

  app.post(
    '/shares/:id/accept',
    {
      config: { replayable: true },
      schema: {
        tags,
        summary: 'Import an offered user after seeing its roles',
        params: IdParams,
        response: { 200: ShareWithWarnings, ...errors },
      },
    },
    async (req) => acceptShare(deps, ctxOf(req), req.params.id),
  );

  app.delete(
    '/shares/:id',
    {
      schema: {
        tags,
        summary: 'End a share (either side); sessions acting there end at once',
        params: IdParams,
        response: { 200: Share, ...errors },
      },
    },
    async (req) => endShare(deps, ctxOf(req), req.params.id),
  );
}
