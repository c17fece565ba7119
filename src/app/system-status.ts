import type { StatusFacts } from '../domain/system-ports.js';
import type { Ctx } from './context.js';
import { requirePermission } from './context.js';
import type { SystemDeps } from './system-tasks.js';

/** An instance whose heartbeat is older than this many beats counts as silent. */
const SILENT_AFTER_BEATS = 3;

const seconds = (now: Date, at: Date | null): number | null =>
  at ? Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000)) : null;

export type SystemStatus = ReturnType<typeof shape>;

/**
 * GET /api/v1/system/status (`system.health.read`): this and the other instances, the database,
 * migrations, background jobs and key ages. Counts, states and times only — never a tenant, user
 * or name (R7). An unreachable database does not fail the answer: its parts are null.
 */
export async function readSystemStatus(deps: SystemDeps, ctx: Ctx): Promise<SystemStatus> {
  requirePermission(ctx.actor, 'system.health.read', deps.catalogue);
  const now = deps.clock.now();
  return shape(await deps.system.status.read(now), now);
}

function shape(f: StatusFacts, now: Date) {
  const c = f.counts;
  const silentAfter = SILENT_AFTER_BEATS * f.self.heartbeatSeconds;
  const instances = c?.instances.map((i) => {
    const ago = seconds(now, i.lastSeenAt) ?? 0;
    return {
      id: i.id,
      self: i.id === f.self.id,
      version: i.version,
      readiness: i.readiness,
      state: ago > silentAfter ? ('silent' as const) : ('live' as const),
      startedAt: i.startedAt.toISOString(),
      lastSeenAt: i.lastSeenAt.toISOString(),
      lastSeenSecondsAgo: ago,
    };
  });
  const applied = c ? new Set(c.appliedMigrations) : undefined;
  const known = new Set(f.knownMigrations);
  const pending = applied ? f.knownMigrations.filter((m) => !applied.has(m)) : [];
  // Applied by a newer Kontor than this one: a rolling upgrade in progress, or a downgrade.
  const unknown = c ? c.appliedMigrations.filter((m) => !known.has(m)) : [];
  return {
    checkedAt: now.toISOString(),
    instance: { id: f.self.id, heartbeatSeconds: f.self.heartbeatSeconds, silentAfterSeconds: silentAfter },
    instances: instances
      ? {
          live: instances.filter((i) => i.state === 'live').length,
          silent: instances.filter((i) => i.state === 'silent').length,
          items: instances,
        }
      : null,
    database: f.database,
    pool: f.pool,
    replica: f.replica ? { configured: true, ...f.replica } : { configured: false },
    migrations: {
      state: !c ? ('unknown' as const) : pending.length > 0 ? ('pending' as const) : ('current' as const),
      known: f.knownMigrations.length,
      applied: c ? c.appliedMigrations.length : null,
      pending,
      unknown,
    },
    outbox: c
      ? c.outbox.map((o) => ({
          topic: o.topic,
          pending: o.pending,
          givenUp: o.givenUp,
          oldestPendingSeconds: seconds(now, o.oldestPendingAt),
        }))
      : null,
    imports: c ? c.imports : null,
    lastPurge: c?.lastPurge
      ? { at: c.lastPurge.at.toISOString(), secondsAgo: seconds(now, c.lastPurge.at), removed: c.lastPurge.counts }
      : null,
    keys: {
      sealingKey: f.sealingKey,
      signing: c
        ? c.signingKeys.map((k) => ({
            alg: k.alg,
            state: !k.retiredAt
              ? ('active' as const)
              : k.publishUntil && k.publishUntil > now
                ? ('published' as const)
                : ('retired' as const),
            ageSeconds: seconds(now, k.createdAt) ?? 0,
          }))
        : null,
      appSecrets: c
        ? { count: c.appSecrets.count, oldestChangeSeconds: seconds(now, c.appSecrets.oldestChangedAt) }
        : null,
      ssoSecrets: c
        ? { count: c.ssoSecrets.count, oldestChangeSeconds: seconds(now, c.ssoSecrets.oldestChangedAt) }
        : null,
    },
  };
}
