import { AppError, notFound } from '../domain/errors.js';
import type { Repos, UserRelation } from '../domain/ports.js';
import type { User } from '../domain/user.js';
import { type AppDeps, type Ctx, requirePermission } from './context.js';

export interface ManagedUser {
  user: User;
  relation: UserRelation;
}

/**
 * Finds a user the actor may manage with `permission`: an own user (the permission itself) or
 * the primary user of a direct customer (R5, `customers.primary.manage`). A shared-in user is
 * read-only (R6); any other id answers exactly like a missing one.
 */
export async function findManagedUser(
  repos: Repos,
  deps: AppDeps,
  ctx: Ctx,
  userId: string,
  permission: string,
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
  return found;
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
