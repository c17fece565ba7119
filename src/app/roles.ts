import { AppError } from '../domain/errors.js';
import { assertValidRoles, diffRoles, type Role, type RoleDiff } from '../domain/role.js';
import { type AppDeps, audit, type Ctx, requirePermission } from './context.js';

export interface ApplyRolesResult {
  diff: RoleDiff;
  applied: boolean;
}

/**
 * Applies the operator's role file: validates every role against the catalogue (an operation
 * role with a tenant permission is refused), computes the diff, and unless `dryRun` writes it
 * in one transaction. A role still assigned to users is not removed.
 */
export async function applyRoles(
  deps: AppDeps,
  ctx: Ctx | null,
  roles: Role[],
  opts: { dryRun: boolean },
): Promise<ApplyRolesResult> {
  if (ctx) requirePermission(ctx.actor, 'system.roles.manage', deps.catalogue);
  assertValidRoles(roles, deps.catalogue);
  return deps.store.transaction(async (repos) => {
    const current = await repos.roles.list();
    const diff = diffRoles(current, roles);
    for (const r of diff.removed) {
      const n = await repos.roles.assignments(r.key);
      if (n > 0) {
        throw new AppError('role.invalid_definition', `Role ${r.key} is still assigned to ${n} user(s)`, {
          errors: [{ field: r.key, code: 'role.in_use', message: `Assigned to ${n} user(s)` }],
        });
      }
    }
    if (opts.dryRun) return { diff, applied: false };
    for (const r of [...diff.added, ...diff.changed.map((c) => c.after)]) await repos.roles.upsert(r);
    for (const r of diff.removed) await repos.roles.delete(r.key);
    const root = await repos.tenants.findRoot();
    if (root && (diff.added.length || diff.removed.length || diff.changed.length)) {
      await audit(repos, ctx, deps.clock.now(), {
        tenantId: root.id,
        action: 'system.roles_applied',
        targetType: 'roles',
        targetId: null,
        details: {
          added: diff.added.map((r) => r.key),
          removed: diff.removed.map((r) => r.key),
          changed: diff.changed.map((c) => c.after.key),
        },
      });
    }
    return { diff, applied: true };
  });
}

export async function listRoles(deps: AppDeps): Promise<Role[]> {
  return deps.store.read((r) => r.roles.list());
}
