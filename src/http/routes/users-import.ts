import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { parseImportFile, recordsFromDoc } from '../../adapters/import-parse.js';
import type { ImportReport } from '../../app/import-users.js';
import { importUsers } from '../../app/import-users.js';
import { AppError } from '../../domain/errors.js';
import { IMPORT_LIMITS } from '../../domain/import-rows.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const tags = ['users'];
/** Above this many rows an apply runs as a background job and answers 202. */
const INLINE_ROWS = 1000;

const Report = Type.Object({
  dryRun: Type.Boolean(),
  mode: Type.String(),
  rows: Type.Integer(),
  toCreate: Type.Integer(),
  toUpdate: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(
    Type.Object({
      line: Type.Integer(),
      column: Type.Optional(Type.Integer({ minimum: 1, description: '1-based position of the field in the row' })),
      field: Type.String(),
      code: Type.String(),
      message: Type.String(),
    }),
  ),
});

const Job = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  status: Type.String(),
  mode: Type.String(),
  total: Type.Integer(),
  processed: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  report: Type.Unknown(),
  progress: Type.Union([Type.Object({ processed: Type.Integer(), total: Type.Integer() }), Type.Null()]),
});

const rejected = (r: ImportReport) =>
  new AppError('import.rejected', `${r.errors.length} row error(s); nothing was written`, {
    errors: r.errors.map((e) => ({ field: `line ${e.line}: ${e.field}`, code: e.code, message: e.message })),
  });

export function userImportRoutes(app: Api, { deps }: RouteDeps): void {
  // Own plugin scope: the CSV body parser and the large body limit apply to the import only.
  void app.register(async (scope) => {
    const sub = scope.withTypeProvider<TypeBoxTypeProvider>();
    sub.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_LIMITS.maxBytes }, (_req, body, done) =>
      done(null, body),
    );
    sub.post(
      '/tenants/:id/users/import',
      {
        bodyLimit: IMPORT_LIMITS.maxBytes,
        schema: {
          tags,
          summary:
            'Import users from CSV (text/csv, the export’s columns) or JSON ({"users":[…]}). dryRun reports every ' +
            'row and writes nothing; an apply is all-or-nothing; large applies run as a job (202)',
          params: IdParams,
          querystring: Type.Object(
            {
              mode: Type.Optional(Type.Union([Type.Literal('create'), Type.Literal('upsert')], { default: 'create' })),
              dryRun: Type.Optional(Type.Boolean({ default: false })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Report, 202: Job, ...errors },
        },
      },
      async (req, reply) => {
        const imports = deps.imports;
        if (!imports) throw new AppError('internal.error', 'Imports are not configured');
        const records =
          typeof req.body === 'string' ? parseImportFile(req.body, 'csv') : recordsFromDoc(req.body as unknown);
        const ctx = ctxOf(req);
        const format = typeof req.body === 'string' ? 'csv' : 'json';
        const input = { tenantId: req.params.id, records, format, mode: req.query.mode ?? 'create' } as const;
        const dryRun = req.query.dryRun === true;
        if (!dryRun && records.length > INLINE_ROWS) {
          const job = await imports.jobs.start(ctx, input);
          reply.header('location', `/api/v1/tenants/${job.tenantId}/imports/${job.id}`);
          return reply.code(202).send({ ...job, progress: { processed: 0, total: job.total } });
        }
        const report = await importUsers(imports.deps, ctx, { ...input, dryRun });
        if (!dryRun && report.errors.length > 0) throw rejected(report);
        return report;
      },
    );
  });

  app.get(
    '/tenants/:id/imports/:jobId',
    {
      schema: {
        tags,
        summary: 'Status and progress of a background import',
        params: Type.Object({ id: Uuid, jobId: Uuid }, { additionalProperties: false }),
        response: { 200: Job, ...errors },
      },
    },
    async (req) => {
      const imports = deps.imports;
      if (!imports) throw new AppError('internal.error', 'Imports are not configured');
      return imports.jobs.get(ctxOf(req), req.params.id, req.params.jobId);
    },
  );
}
