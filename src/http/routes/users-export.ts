import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { exportStream } from '../../adapters/export-stream.js';
import { assertStepUp } from '../../app/auth/step-up.js';
import { exportUsers } from '../../app/export-users.js';
import { AppError } from '../../domain/errors.js';
import { ctxOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

export function userExportRoutes(app: Api, { deps }: RouteDeps): void {
  app.get(
    '/tenants/:id/users/export',
    {
      schema: {
        tags: ['users'],
        summary:
          'Export the tenant’s own users (roles, companies, custom fields) as CSV or JSON, streamed; ' +
          'password hashes only for AdministrationAdvanced, audited',
        params: IdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' })),
            passwordHashes: Type.Optional(Type.Boolean({ default: false })),
          },
          { additionalProperties: false },
        ),
        // A stream bypasses serialization; the schema only documents the answer.
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', description: 'text/csv or application/json' }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'csv';
      if (req.query.passwordHashes === true) await assertStepUp(deps, principalOf(req));
      if (!deps.imports) throw new AppError('internal.error', 'Export is not configured');
      const ex = await exportUsers(deps.imports.deps, ctxOf(req), {
        tenantId: req.params.id,
        format,
        passwordHashes: req.query.passwordHashes === true,
      });
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="users.${format}"`)
        .header('cache-control', 'no-store');
      return reply.send(exportStream(ex, format));
    },
  );
}
