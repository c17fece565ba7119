import { Type } from '@sinclair/typebox';
import { readSystemConfig, runPurge, type SystemDeps, verifyAllAuditChains } from '../../app/system-tasks.js';
import { AppError } from '../../domain/errors.js';
import { ctxOf } from '../plugins/auth.js';
import { errors } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const tags = ['system'];

const Counts = Type.Record(Type.String(), Type.Integer());
const ChainVerdict = Type.Object({
  tenantId: Type.String({ format: 'uuid' }),
  events: Type.Integer(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('broken')]),
  brokenAtSeq: Type.Optional(Type.Integer({ description: 'The first event found changed, unlinked or missing' })),
});

/**
 * The operation roles' system tasks (issue 19 #4): counts and tenant ids only, never a name,
 * user or amount (R7). Running a task needs `system.jobs.manage`, the configuration
 * `system.config.read`; both hold only for users of the root provider.
 */
export function systemRoutes(app: Api, { deps }: RouteDeps): void {
  const sys = (): SystemDeps => {
    if (!deps.system) throw new AppError('resource.not_found', 'System tasks are not available here');
    return { ...deps, system: deps.system };
  };

  app.post(
    '/system/purge',
    {
      schema: {
        tags,
        summary: 'Purge expired sessions, links, counters and sent mail now (system.jobs.manage)',
        response: { 200: Type.Object({ purged: Counts }), ...errors },
      },
    },
    async (req) => runPurge(sys(), ctxOf(req)),
  );

  app.post(
    '/system/audit-verify',
    {
      schema: {
        tags,
        summary: 'Recompute every tenant’s audit hash chain (system.jobs.manage); tenant ids only',
        response: {
          200: Type.Object({ tenants: Type.Array(ChainVerdict), broken: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (req) => verifyAllAuditChains(sys(), ctxOf(req)),
  );

  app.get(
    '/system/config',
    {
      schema: {
        tags,
        summary: 'The effective configuration, secrets redacted (system.config.read)',
        response: {
          200: Type.Object({ config: Type.Record(Type.String(), Type.Unknown()) }),
          ...errors,
        },
      },
    },
    async (req) => ({ config: readSystemConfig(sys(), ctxOf(req)) }),
  );
}
