import { AppError, notFound } from '../domain/errors.js';
import { evaluateShareStep, shareAdvisories, type Warning } from '../domain/grant-rules.js';
import type { Repos } from '../domain/ports.js';
import { rolesInImportingTenant, type Share } from '../domain/share.js';
import { isAncestorOrSelf } from '../domain/tenant.js';
import { type AppDeps, audit, type Ctx, loadRoleMap, requirePermission } from './context.js';

/** A share concerns two tenants: each one's activity log gets the event. */
async function auditBothSides(
  repos: Repos,
  ctx: Ctx,
  now: Date,
  tenantIds: string[],
  e: { action: string; shareId: string; details: Record<string, unknown> },
) {
  // One after the other: both appends run on the transaction's single connection.
  for (const tenantId of tenantIds) {
    await audit(repos, ctx, now, {
      tenantId,
      action: e.action,
      targetType: 'share',
      targetId: e.shareId,
      details: e.details,
      reference: false, // both sides get the event itself
    });
  }
}

/**
 * Release (Freigabe): the home tenant's administrator offers one of its users to another tenant
 * of the same line (an ancestor or a descendant, e.g. an MSP's technician into its customers).
 */
export async function releaseShare(
  deps: AppDeps,
  ctx: Ctx,
  input: { userId: string; tenantId: string; expiresAt?: string | undefined },
): Promise<{ share: Share; warnings: Warning[] }> {
  let expiresAt: Date | null = null;
  if (input.expiresAt !== undefined) {
    expiresAt = new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= deps.clock.now().getTime()) {
      throw new AppError('validation.invalid', 'expiresAt must be a future time', {
        errors: [{ field: 'expiresAt', code: 'date.future', message: 'A future ISO time' }],
      });
    }
  }
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const user = await repos.users.findInTenant(ctx.actor.actingTenantId, input.userId);
    if (!user) throw notFound('user');
    requirePermission(ctx.actor, 'shares.manage', deps.catalogue);
    const home = await repos.tenants.findById(user.tenantId);
    const target = await repos.tenants.findById(input.tenantId);
    if (!home || !target || target.id === home.id) throw notFound('tenant');
    const related = isAncestorOrSelf(home.path, target.path) || isAncestorOrSelf(target.path, home.path);
    if (!related) throw notFound('tenant');
    const roles = await loadRoleMap(repos);
    const roleKeys = await repos.roles.userRoles(user.tenantId, user.id);
    const d = evaluateShareStep(ctx.actor, roleKeys, roles);
    if (!d.allowed) throw new AppError(d.reason, d.message);
    const share: Share = {
      id: deps.ids.newId(),
      userId: user.id,
      homeTenantId: home.id,
      targetTenantId: target.id,
      status: 'offered',
      expiresAt,
      createdBy: ctx.actor.userId,
      acceptedBy: null,
      endedBy: null,
      createdAt: now,
      acceptedAt: null,
      endedAt: null,
      acceptedRoles: null,
    };
    await repos.shares.insert(share);
    const warnings = shareAdvisories({ type: user.type, roleKeys }, roles);
    await auditBothSides(repos, ctx, now, [home.id, target.id], {
      action: 'share.offered',
      shareId: share.id,
      details: { userId: user.id, to: target.id, roles: roleKeys, warnings: warnings.map((w) => w.code) },
    });
    return { share, warnings };
  });
}

export interface ShareView extends Share {
  loginName: string;
  displayName: string;
  userType: string;
  roles: string[];
  direction: 'outgoing' | 'incoming';
  /** The tenant on the other side: whom a user was released to, or imported from (issue 21 #3). */
  otherTenant: { id: string; slug: string; name: string };
}

/** Offers and imports of the acting tenant, with the roles each shared user carries. */
export async function listShares(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<ShareView[]> {
  if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
  requirePermission(ctx.actor, 'shares.manage', deps.catalogue);
  return deps.store.read(async (repos) => {
    const out: ShareView[] = [];
    const tenants = new Map<string, { id: string; slug: string; name: string } | undefined>();
    const tenantOf = async (id: string) => {
      if (!tenants.has(id)) {
        const t = await repos.tenants.findById(id);
        tenants.set(id, t && { id: t.id, slug: t.slug, name: t.name });
      }
      return tenants.get(id);
    };
    for (const s of await repos.shares.listForTenant(tenantId)) {
      const u = await repos.users.findInTenant(s.homeTenantId, s.userId);
      const other = await tenantOf(s.homeTenantId === tenantId ? s.targetTenantId : s.homeTenantId);
      if (!u || !other) continue;
      out.push({
        otherTenant: other,
        ...s,
        loginName: u.loginName,
        displayName: u.displayName,
        userType: u.type,
        roles: await repos.roles.userRoles(u.tenantId, u.id),
        direction: s.homeTenantId === tenantId ? 'outgoing' : 'incoming',
      });
    }
    return out;
  });
}

/**
 * Import: the target's administrator accepts an offer after seeing the roles (R4 applies). The
 * roles seen are the consent: the user acts here with at most them (decision 0007). Accepting an
 * active share again re-consents to the user's current roles (`share.reaccepted`), e.g. after
 * its home added a role.
 */
export async function acceptShare(
  deps: AppDeps,
  ctx: Ctx,
  shareId: string,
): Promise<{ share: Share; warnings: Warning[] }> {
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const s = await repos.shares.findForTenant(ctx.actor.actingTenantId, shareId);
    if (!s || s.targetTenantId !== ctx.actor.actingTenantId) throw notFound('share');
    requirePermission(ctx.actor, 'shares.manage', deps.catalogue);
    const user = await repos.users.findInTenant(s.homeTenantId, s.userId);
    if (!user) throw notFound('share');
    const roles = await loadRoleMap(repos);
    const roleKeys = [...(await repos.roles.userRoles(user.tenantId, user.id))].sort();
    const d = evaluateShareStep(ctx.actor, roleKeys, roles);
    if (!d.allowed) throw new AppError(d.reason, d.message);
    if (s.expiresAt && s.expiresAt.getTime() <= now.getTime())
      throw new AppError('share.not_offered', 'The offer has expired');
    const again = s.status === 'active';
    const accepted = again
      ? await repos.shares.reaccept(s.id, ctx.actor.userId, now, roleKeys)
      : await repos.shares.accept(s.id, ctx.actor.userId, now, roleKeys);
    if (!accepted) {
      throw again
        ? new AppError('share.not_offered', 'The share is already accepted with the user’s current roles')
        : new AppError('share.not_offered');
    }
    const warnings = shareAdvisories({ type: user.type, roleKeys }, roles);
    await auditBothSides(repos, ctx, now, [s.homeTenantId, s.targetTenantId], {
      action: again ? 'share.reaccepted' : 'share.accepted',
      shareId: s.id,
      details: again
        ? { userId: s.userId, roles: roleKeys, previousRoles: s.acceptedRoles ?? [] }
        : { userId: s.userId, roles: roleKeys },
    });
    return { share: accepted, warnings };
  });
}

/**
 * A shared user's roles changed at home: every tenant that imported it learns of it in its own
 * log, with what that means there (the consent still bounds the roles; re-accept to widen).
 */
export async function auditRolesChangedAtHome(
  repos: Repos,
  ctx: Ctx,
  now: Date,
  e: { userId: string; homeTenantId: string; added: string[]; removed: string[]; roles: string[] },
): Promise<void> {
  for (const s of await repos.shares.effectiveForUser(e.userId, now)) {
    if (s.homeTenantId !== e.homeTenantId) continue;
    await audit(repos, ctx, now, {
      tenantId: s.targetTenantId,
      action: 'share.roles_changed_at_home',
      targetType: 'share',
      targetId: s.id,
      details: {
        userId: e.userId,
        added: e.added,
        removed: e.removed,
        acceptedRoles: s.acceptedRoles ?? [],
        effectiveRoles: rolesInImportingTenant(e.roles, [s.acceptedRoles]),
      },
      reference: false, // the home tenant has user.roles_changed itself
    });
  }
}

/** Either side ends a share; the user's next request in the target tenant is refused. */
export async function endShare(deps: AppDeps, ctx: Ctx, shareId: string): Promise<Share> {
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const s = await repos.shares.findForTenant(ctx.actor.actingTenantId, shareId);
    if (!s) throw notFound('share');
    // The shared user himself may always withdraw from a tenant; otherwise an admin of a side.
    if (!(s.userId === ctx.actor.userId)) requirePermission(ctx.actor, 'shares.manage', deps.catalogue);
    const ended = await repos.shares.end(s.id, ctx.actor.userId, now);
    if (!ended) return s;
    await auditBothSides(repos, ctx, now, [s.homeTenantId, s.targetTenantId], {
      action: 'share.ended',
      shareId: s.id,
      details: { userId: s.userId },
    });
    return ended;
  });
}
