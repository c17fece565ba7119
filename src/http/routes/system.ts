import { type TSchema, Type } from '@sinclair/typebox';
import { readSystemStatus } from '../../app/system-status.js';
import {
  readSystemConfig,
  rotateKeysTask,
  runPurge,
  type SystemDeps,
  verifyAllAuditChains,
} from '../../app/system-tasks.js';
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

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Seconds = Type.Integer({ minimum: 0 });
const Ts = Type.String({ format: 'date-time' });
const SecretAges = Nullable(Type.Object({ count: Type.Integer(), oldestChangeSeconds: Nullable(Seconds) }));

/** Counts, states and times only: nothing here may carry a tenant, user or name (R7). */
const SystemStatus = Type.Object({
  checkedAt: Ts,
  instance: Type.Object({
    id: Type.String({ format: 'uuid', description: 'This instance (made at its start, not a host name)' }),
    heartbeatSeconds: Type.Integer(),
    silentAfterSeconds: Type.Integer(),
  }),
  instances: Nullable(
    Type.Object({
      live: Type.Integer(),
      silent: Type.Integer(),
      items: Type.Array(
        Type.Object({
          id: Type.String({ format: 'uuid' }),
          self: Type.Boolean(),
          version: Type.String(),
          readiness: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
          state: Type.Union([Type.Literal('live'), Type.Literal('silent')]),
          startedAt: Ts,
          lastSeenAt: Ts,
          lastSeenSecondsAgo: Seconds,
        }),
      ),
    }),
  ),
  database: Type.Object({
    dialect: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    reachable: Type.Boolean(),
    writable: Type.Boolean(),
  }),
  pool: Nullable(Type.Object({ total: Type.Integer(), idle: Type.Integer(), waiting: Type.Integer() })),
  replica: Type.Object({
    configured: Type.Boolean(),
    reachable: Type.Optional(Type.Boolean()),
    reads: Type.Optional(Type.Integer({ description: 'Reads the replica answered since this instance started' })),
    fallbacks: Type.Optional(Type.Integer({ description: 'Reads it passed to the primary' })),
  }),
  migrations: Type.Object({
    state: Type.Union([Type.Literal('current'), Type.Literal('pending'), Type.Literal('unknown')]),
    known: Type.Integer({ description: 'Migrations this version has' }),
    applied: Nullable(Type.Integer()),
    pending: Type.Array(Type.String()),
    unknown: Type.Array(Type.String({ description: 'Applied by a newer version' })),
  }),
  outbox: Nullable(
    Type.Array(
      Type.Object({
        topic: Type.String(),
        pending: Type.Integer(),
        givenUp: Type.Integer(),
        oldestPendingSeconds: Nullable(Seconds),
      }),
    ),
  ),
  imports: Nullable(Type.Array(Type.Object({ status: Type.String(), jobs: Type.Integer() }))),
  lastPurge: Nullable(Type.Object({ at: Ts, secondsAgo: Nullable(Seconds), removed: Counts })),
  keys: Type.Object({
    sealingKey: Type.Union([Type.Literal('config'), Type.Literal('data-dir'), Type.Literal('ephemeral')]),
    signing: Nullable(
      Type.Array(
        Type.Object({
          alg: Type.String(),
          state: Type.Union([Type.Literal('active'), Type.Literal('published'), Type.Literal('retired')]),
          ageSeconds: Seconds,
        }),
      ),
    ),
    appSecrets: SecretAges,
    ssoSecrets: SecretAges,
  }),
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

  app.get(
    '/system/status',
    {
      schema: {
        tags,
        summary: 'Instances, database, migrations, background jobs and key ages (system.health.read); counts only',
        response: { 200: SystemStatus, ...errors },
      },
    },
    async (req) => readSystemStatus(sys(), ctxOf(req)),
  );

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

  app.post(
    '/system/keys/rotate',
    {
      schema: {
        tags,
        summary:
          'Rotate the OpenID Provider’s signing keys (system.jobs.manage); the old ones stay published until their tokens expired',
        response: {
          200: Type.Object({
            retired: Type.Array(Type.String(), { description: 'Key ids now retired (still published)' }),
            added: Type.Array(Type.String(), { description: 'Key ids that sign from now on' }),
            publishUntil: Type.String({ format: 'date-time' }),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const r = await rotateKeysTask(sys(), ctxOf(req));
      return { ...r, publishUntil: r.publishUntil.toISOString() };
    },
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
