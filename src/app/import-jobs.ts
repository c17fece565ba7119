import { notFound } from '../domain/errors.js';
import type { ImportJob } from '../domain/import-ports.js';
import { type Ctx, requirePermission } from './context.js';
import { type ImportDeps, type ImportInput, type ImportReport, importUsers } from './import-users.js';

export interface JobView extends ImportJob {
  /** Live progress while the job runs on this instance. */
  progress: { processed: number; total: number } | null;
}

/**
 * Large imports run as background jobs. The job row records status and counts outside the
 * import's transaction, so a crash leaves `running` over an import that rolled back completely;
 * `failInterrupted` at start-up marks such jobs failed. Progress is kept in memory, per instance.
 */
export class ImportJobs {
  private readonly progress = new Map<string, { processed: number; total: number }>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ImportDeps) {}

  async start(ctx: Ctx | null, input: Omit<ImportInput, 'dryRun' | 'onProgress'>): Promise<ImportJob> {
    if (ctx) {
      if (input.tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
      requirePermission(ctx.actor, 'users.import', this.deps.catalogue);
    }
    const job: ImportJob = {
      id: this.deps.ids.newId(),
      tenantId: input.tenantId,
      status: 'running',
      mode: input.mode,
      total: input.records.length,
      processed: 0,
      created: 0,
      updated: 0,
      error: null,
      report: null,
      createdBy: ctx?.actor.userId ?? null,
      createdAt: this.deps.clock.now(),
      finishedAt: null,
    };
    await this.deps.importStore.read((r) => r.imports.insertJob(job));
    this.progress.set(job.id, { processed: 0, total: job.total });
    const run = this.run(ctx, job, input).finally(() => {
      this.progress.delete(job.id);
      this.running.delete(run);
    });
    this.running.add(run);
    return job;
  }

  private async run(ctx: Ctx | null, job: ImportJob, input: Omit<ImportInput, 'dryRun' | 'onProgress'>) {
    let report: ImportReport | undefined;
    let error: string | null = null;
    try {
      report = await importUsers(this.deps, ctx, {
        ...input,
        dryRun: false,
        onProgress: (processed, total) => this.progress.set(job.id, { processed, total }),
      });
      if (report.errors.length > 0) error = `${report.errors.length} row error(s); nothing was written`;
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 500) : 'import failed';
    }
    await this.deps.importStore.read((r) =>
      r.imports.finishJob(job.tenantId, job.id, {
        status: error ? 'failed' : 'succeeded',
        processed: error ? 0 : job.total,
        created: report?.created ?? 0,
        updated: report?.updated ?? 0,
        error,
        report: report && report.errors.length > 0 ? { errors: report.errors } : null,
        finishedAt: this.deps.clock.now(),
      }),
    );
    this.deps.metrics?.importJob(error ? 'failed' : 'succeeded');
  }

  async get(ctx: Ctx, tenantId: string, jobId: string): Promise<JobView> {
    if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
    requirePermission(ctx.actor, 'users.import', this.deps.catalogue);
    const job = await this.deps.importStore.read((r) => r.imports.findJob(tenantId, jobId));
    if (!job) throw notFound('import');
    return { ...job, progress: this.progress.get(job.id) ?? null };
  }

  /** Waits for the jobs of this instance (graceful shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
