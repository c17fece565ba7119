import { notFound } from '../domain/errors.js';
import type { Page, UserRelation } from '../domain/ports.js';
import type { User, UserState } from '../domain/user.js';
import { USER_STATES } from '../domain/user.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, type Ctx, requirePermission } from './context.js';
import { assertActingTenant } from './tenant-reach.js';
import { findReadableUser } from './user-access.js';

export interface UserView extends User {
  roles: string[];
  relation: UserRelation;
  /** Roles can be changed from the acting tenant (false for shared-in users, R6). */
  rolesReadOnly: boolean;
  /** The current address was confirmed by its owner's link or attested (issue 14 #6). */
  emailVerified: boolean;
}

export async function getUser(deps: AppDeps, ctx: Ctx, userId: string): Promise<UserView> {
  return deps.store.read(async (repos) => {
    const { user, relation } = await findReadableUser(repos, deps, ctx, userId);
    const roles = await repos.roles.userRoles(user.tenantId, user.id);
    const emailVerified = (await repos.users.verifiedIds([user.id])).has(user.id);
    return { ...user, roles, relation, rolesReadOnly: relation === 'shared', emailVerified };
  });
}

export async function listUsers(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; cursor?: string; limit?: number; q?: string; state?: string },
): Promise<Page<UserView>> {
  await assertActingTenant(deps, ctx, input.tenantId);
  requirePermission(ctx.actor, 'users.read', deps.catalogue);
  const c = new Checker();
  const state = c.oneOf<UserState>('state', input.state, USER_STATES, true);
  const q = c.string('q', input.q, { max: 200, optional: true });
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) c.fail('limit', 'range', '1 to 200');
  assertNoErrors(c.errors);
  return deps.store.read(async (repos) => {
    const page = await repos.users.list(
      input.tenantId,
      { limit, ...(q ? { q } : {}), ...(state ? { state } : {}), ...(input.cursor ? { cursor: input.cursor } : {}) },
      deps.clock.now(),
    );
    const ids = page.items.map((u) => u.id);
    const roles = await repos.roles.rolesOfUsers(ids);
    const verified = await repos.users.verifiedIds(ids);
    const items: UserView[] = page.items.map((u) => ({
      ...u,
      roles: roles.get(u.id) ?? [],
      rolesReadOnly: u.relation === 'shared',
      emailVerified: verified.has(u.id),
    }));
    return { items, nextCursor: page.nextCursor };
  });
}

/**
 * The primary user of a direct customer (R5), for the customer page: the supplier knows the
 * tenant, not the user's id. Permission first, so a refusal says nothing about the tenant.
 */
export async function getPrimaryUser(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<UserView> {
  if (!ctx.actor.permissions.has('customers.primary.manage'))
    requirePermission(ctx.actor, 'customers.read', deps.catalogue);
  const primaryId = await deps.store.read(async (repos) => {
    const t = await repos.tenants.findById(tenantId);
    if (!t || t.parentId !== ctx.actor.actingTenantId) throw notFound('tenant');
    const p = await repos.users.findPrimary(t.id);
    if (!p) throw notFound('user');
    return p.id;
  });
  return getUser(deps, ctx, primaryId);
}
