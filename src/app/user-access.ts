import { AppError, notFound } from '../domain/errors.js';
import type { Repos, UserRelation } from '../domain/ports.js';
import { type AccountAction, evaluateRank } from '../domain/rank-rule.js';
import type { User } from '../domain/user.js';
import { type AppDeps, type Ctx, loadRoleMap, requirePermission } from './context.js';

export interface ManagedUser {
  user: User;
  relation: UserRelation;
}

export interface ManageOptions {
  /**
   * The account action this lookup is for; the rank rule applies to it. Every caller gets the
   * rule unless it says `false` — and only a profile change that cannot lead to the account
   * (display name, custom fields, companies) may say so.
   */
  rank?: AccountAction | false;
}

/**
 * Finds a user the actor may manage with `permission`: an own user (the permission itself) or
 * the primary user of a direct customer (R5, `customers.primary.manage`). A shared-in user is
 * read-only (R6); any other id answers exactly like a missing one. Then the rank rule: the actor
 * must hold every administration role the user holds (`grant.target_outranks`), on the R5 path
 * too. The user's existence is no secret here (it is visible to the actor), so the refusal may
 * say why.
 */
export async function findManagedUser(
  repos: Repos,
  deps: AppDeps,
  ctx: Ctx,
  userId: string,
  permission: string,
  opts: ManageOptions = {},
): Promise<ManagedUser> {
  const found = await repos.users.findVisible(ctx.actor.actingTenantId, userId, deps.clock.now());
  if (!found) throw notFound('user');
  if (found.relation === 'own') {
    requirePermission(ctx.actor, permission, deps.catalogue);
  } else if (found.relation === 'customer_primary') {
    requirePermission(ctx.actor, 'customers.primary.manage', deps.catalogue);
  } else {
    throw new AppError('grant.shared_user_read_only', 'This user is shared in; its home tenant manages it');
  }
  if (opts.rank !== false) await assertOutranks(repos, ctx, found.user, { action: opts.rank });
  return found;
}

/** The rank rule for one user (see {@link findManagedUser}); the actor acting on himself passes. */
export async function assertOutranks(
  repos: Repos,
  ctx: Ctx,
  user: Pick<User, 'id' | 'tenantId'>,
  opts: { action?: AccountAction | undefined; targetRoleKeys?: readonly string[] } = {},
): Promise<void> {
  if (user.id === ctx.actor.userId) return;
  const held = opts.targetRoleKeys ?? (await repos.roles.userRoles(user.tenantId, user.id));
  if (held.length === 0) return;
  const d = evaluateRank(ctx.actor.roleKeys, held, await loadRoleMap(repos));
  if (!d.allowed)
    throw new AppError(d.reason, d.message, {
      details: { missing: d.missing, ...(opts.action ? { action: opts.action } : {}) },
    });
}

/** Reading a user: own and shared-in users need users.read, a customer's primary customers.read. */
export async function findReadableUser(repos: Repos, deps: AppDeps, ctx: Ctx, userId: string): Promise<ManagedUser> {
  const found = await repos.users.findVisible(ctx.actor.actingTenantId, userId, deps.clock.now());
  if (!found) throw notFound('user');
  const perm = found.relation === 'customer_primary' ? 'customers.read' : 'users.read';
  if (!ctx.actor.permissions.has(perm) && !ctx.actor.permissions.has('customers.primary.manage')) {
    requirePermission(ctx.actor, perm, deps.catalogue);
  }
  return found;
}

/** Nobody locks, unlocks, disables or deletes himself: `what` names the refused action. */
export function refuseSelf(ctx: Ctx, userId: string, what: string): void {
  if (userId !== ctx.actor.userId) return;
  throw new AppError('validation.invalid', `You cannot ${what}`, {
    errors: [{ field: 'userId', code: 'user.self', message: 'Not for yourself' }],
  });
}
