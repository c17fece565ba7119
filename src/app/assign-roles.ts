import { seesTenantData } from '../domain/access.js';
import { AppError, notFound } from '../domain/errors.js';
import { evaluateGrant, type Warning } from '../domain/grant-rules.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, loadRoleMap } from './context.js';
import { grantTargetFor } from './grant-target.js';
import { auditRolesChangedAtHome } from './shares.js';

export interface AssignRolesResult {
  userId: string;
  roles: string[];
  added: string[];
  removed: string[];
  warnings: Warning[];
}

/** Sets the complete role set of a user. R1–R6 decide, in one transaction with the audit row. */
export async function assignRoles(
  deps: AppDeps,
  ctx: Ctx,
  input: { userId: string; roles: unknown; expectedVersion?: number },
): Promise<AssignRolesResult> {
  const c = new Checker();
  const next = c.stringArray('roles', input.roles) ?? [];
  if (input.roles === undefined) c.fail('roles', 'required', 'Required');
  assertNoErrors(c.errors);
  // R7: an operation role manages no tenant's users; answered before the user is even looked up.
  if (!seesTenantData(ctx.actor, deps.catalogue)) {
    throw new AppError('grant.system_only', 'Operation roles see no customer data');
  }
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const found = await repos.users.findVisible(ctx.actor.actingTenantId, input.userId, now);
    if (!found) throw notFound('user');
    // Locked first: the current role set read below is what the new one replaces.
    const user = (await repos.users.lockForUpdate(found.user.tenantId, found.user.id)) ?? found.user;
    if (input.expectedVersion !== undefined && input.expectedVersion !== user.version) {
      throw new AppError('resource.stale');
    }
    const roles = await loadRoleMap(repos);
    const current = await repos.roles.userRoles(user.tenantId, user.id);
    const target = await grantTargetFor(repos, user, ctx.actor.actingTenantId, now);
    const root = await repos.tenants.findRoot();
    const d = evaluateGrant({ actor: ctx.actor, target, rootTenantId: root?.id ?? '', current, next, roles });
    if (!d.allowed) throw new AppError(d.reason, d.message);
    if (d.added.length > 0 || d.removed.length > 0) {
      await repos.roles.setUserRoles(user.tenantId, user.id, [...next].sort(), ctx.actor.userId, now);
      // The version bump makes If-Match see role changes, and sessions re-read roles anyway.
      await repos.users.update(user.tenantId, user.id, {}, now);
      await audit(repos, ctx, now, {
        tenantId: user.tenantId,
        action: 'user.roles_changed',
        targetType: 'user',
        targetId: user.id,
        details: { added: d.added, removed: d.removed, warnings: d.warnings.map((w) => w.code) },
      });
      await auditRolesChangedAtHome(repos, ctx, now, {
        userId: user.id,
        homeTenantId: user.tenantId,
        added: d.added,
        removed: d.removed,
        roles: [...next],
      });
    }
    return { userId: user.id, roles: [...next].sort(), added: d.added, removed: d.removed, warnings: d.warnings };
  });
}
