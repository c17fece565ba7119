import { AppError } from '../domain/errors.js';
import type { PurgeCounts, SystemServices } from '../domain/system-ports.js';
import { verifyAudit } from './audit-log.js';
import { type AppDeps, audit, type Ctx, requirePermission } from './context.js';
import { rotateSigningKeys } from './oidc/signing-keys.js';

/**
 * System tasks of the operation roles (issue 19 #4). Every answer carries tenant ids and counts
 * only (R7): an operation role sees no customer's name, user or amount. Running a task is
 * audited in the root provider's log as a `system.*` event, which `system.events.read` shows.
 */
export interface SystemDeps extends AppDeps {
  system: SystemServices;
}

/** Runs a task at once: the permission the default role file gives OperationAdvanced. */
const TASK_PERMISSION = 'system.jobs.manage';

const noRoot = () => new AppError('resource.not_found', 'No root provider yet');

/**
 * Purges expired sign-in state now (what every instance does every 10 minutes): the deletes
 * and their audit event commit together.
 */
export async function runPurge(deps: SystemDeps, ctx: Ctx | null): Promise<{ purged: PurgeCounts }> {
  if (ctx) requirePermission(ctx.actor, TASK_PERMISSION, deps.catalogue);
  return deps.system.store.transaction(async (r) => {
    const root = await r.tenants.findRoot();
    if (!root) throw noRoot();
    const now = deps.clock.now();
    const purged = await r.housekeeping.purgeExpired(now);
    await audit(r, ctx, now, {
      tenantId: root.id,
      action: 'system.purge_run',
      targetType: 'system',
      targetId: null,
      details: { ...purged },
    });
    return { purged };
  });
}

/** One tenant's chain: intact, or broken with the first event that fails. */
export interface ChainVerdict {
  tenantId: string;
  events: number;
  status: 'ok' | 'broken';
  /** The lowest sequence number found changed, unlinked or missing (broken chains only). */
  brokenAtSeq?: number;
}

/**
 * Recomputes every tenant's audit hash chain (the logic of `kontor audit verify`), one tenant
 * per read so no long transaction holds the database, then records the result.
 */
export async function verifyAllAuditChains(
  deps: SystemDeps,
  ctx: Ctx | null,
): Promise<{ tenants: ChainVerdict[]; broken: number }> {
  if (ctx) requirePermission(ctx.actor, TASK_PERMISSION, deps.catalogue);
  const { store, digest } = deps.system;
  const root = await store.read((r) => r.tenants.findRoot());
  if (!root) throw noRoot();
  const tenants = await store.read((r) => r.tenants.subtree(root.path));
  const verdicts: ChainVerdict[] = [];
  for (const t of tenants) {
    const report = await store.read((r) => verifyAudit(r, t.id, digest));
    const first = report.problems.reduce<number | undefined>(
      (m, p) => (m === undefined || p.seq < m ? p.seq : m),
      undefined,
    );
    verdicts.push(
      first === undefined
        ? { tenantId: t.id, events: report.events, status: 'ok' }
        : { tenantId: t.id, events: report.events, status: 'broken', brokenAtSeq: first },
    );
  }
  const broken = verdicts.filter((v) => v.status === 'broken').length;
  await store.transaction(async (r) =>
    audit(r, ctx, deps.clock.now(), {
      tenantId: root.id,
      action: 'system.audit_verified',
      targetType: 'system',
      targetId: null,
      // Which chains broke is kept too: the ids, never a name.
      details: {
        tenants: verdicts.length,
        broken,
        brokenTenantIds: verdicts.filter((v) => v.status === 'broken').map((v) => v.tenantId),
      },
    }),
  );
  return { tenants: verdicts, broken };
}

/** The effective configuration with secrets redacted (`system.config.read`). */
export function readSystemConfig(deps: SystemDeps, ctx: Ctx): Readonly<Record<string, unknown>> {
  requirePermission(ctx.actor, 'system.config.read', deps.catalogue);
  return deps.system.effectiveConfig();
}

/**
 * `POST /system/keys/rotate`: what `kontor keys rotate` does, for an operation role (issue 19 #4):
 * new signing keys from now on, the old ones published until every token they signed expired.
 * Key ids are public (the JWKS lists them); the event names the actor who asked.
 */
export async function rotateKeysTask(
  deps: SystemDeps,
  ctx: Ctx,
): Promise<{ retired: string[]; added: string[]; publishUntil: Date }> {
  requirePermission(ctx.actor, TASK_PERMISSION, deps.catalogue);
  const sk = deps.system.signingKeys;
  if (!sk) throw new AppError('resource.not_found', 'Key rotation is not available here');
  return rotateSigningKeys(
    { store: deps.store, clock: deps.clock, keys: sk.keys, box: sk.box },
    sk.overlapSeconds,
    ctx,
  );
}
