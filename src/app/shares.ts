import { AppError, notFound } from '../domain/errors.js';
import { evaluateShareStep, shareAdvisories, type Warning } from '../domain/grant-rules.js';
import type { Repos } from '../domain/ports.js';
import type { Share } from '../domain/share.js';
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
}

/** Offers and imports of the acting tenant, with the roles each shared user carries. */
export async function listShares(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<ShareView[]> {
  if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
  requirePermission(ctx.actor, 'shares.manage', deps.catalogue);
  return deps.store.read(async (repos) => {
    const out: ShareView[] = [];
    for (const s of await repos.shares.listForTenant(tenantId)) {
      const u = await repos.users.findInTenant(s.homeTenantId, s.userId);
      if (!u) continue;
      out.push({
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

/** Import: the target's administrator accepts an offer after seeing the roles (R4 applies). */
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
    const roleKeys = await repos.roles.userRoles(user.tenantId, user.id);
    const d = evaluateShareStep(ctx.actor, roleKeys, roles);
    if (!d.allowed) throw new AppError(d.reason, d.message);
    if (s.expiresAt && s.expiresAt.getTime() <= now.getTime())
      throw new AppError('share.not_offered', 'The offer has expired');
    const accepted = await repos.shares.accept(s.id, ctx.actor.userId, now);
    if (!accepted) throw new AppError('share.not_offered');
    const warnings = shareAdvisories({ type: user.type, roleKeys }, roles);
    await auditBothSides(repos, ctx, now, [s.homeTenantId, s.targetTenantId], {
      action: 'share.accepted',
      shareId: s.id,
      details: { userId: s.userId, roles: roleKeys },
    });
    return { share: accepted, warnings };
  });
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
