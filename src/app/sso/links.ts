import { notFound } from '../../domain/errors.js';
import type { IdentityLink } from '../../domain/sso.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import { audit, type Ctx, invalid } from '../context.js';
import { assertOutranks } from '../user-access.js';
import { assertManages, ssoOf, usableIn } from './sso-deps.js';

/**
 * An administrator links a user of the acting tenant to an external identity of a connection
 * usable there. The subject is what the connection's claim mapping yields (Entra: `tid:oid`).
 */
export async function linkUser(
  deps: AuthDeps,
  ctx: Ctx,
  tenantId: string,
  userId: string,
  input: { connectionId: string; subject: string; issuer?: string },
): Promise<IdentityLink> {
  assertManages(deps, ctx, tenantId);
  return ssoOf(deps).store.transaction(async (r) => {
    const user = await r.users.findInTenant(tenantId, userId);
    if (!user) throw notFound('user');
    // Whoever links an identity he controls can sign in as the user: the rank rule applies.
    await assertOutranks(r, ctx, user, { action: 'sso.link' });
    const c = await r.sso.findConnectionById(input.connectionId);
    if (!c || !(await usableIn(r, c, tenantId))) throw notFound('connection');
    // A link can only claim what its connection asserts (decision 0005).
    if (input.issuer !== undefined && input.issuer !== c.issuer) {
      throw invalid([{ field: 'issuer', code: 'mismatch', message: `The connection's issuer is ${c.issuer}` }]);
    }
    const now = deps.clock.now();
    const link: IdentityLink = {
      tenantId,
      userId,
      connectionId: c.id,
      issuer: c.issuer,
      subject: input.subject,
      createdAt: now,
      createdBy: `admin:${ctx.actor.userId}`,
    };
    await r.sso.insertLink(link);
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.link.created',
      targetType: 'user',
      targetId: userId,
      details: { connectionId: c.id, issuer: link.issuer, subject: link.subject, by: 'admin' },
    });
    return link;
  });
}

export async function unlinkUser(
  deps: AuthDeps,
  ctx: Ctx,
  tenantId: string,
  userId: string,
  connectionId: string,
): Promise<void> {
  assertManages(deps, ctx, tenantId);
  await ssoOf(deps).store.transaction(async (r) => {
    const user = await r.users.findInTenant(tenantId, userId);
    if (user) await assertOutranks(r, ctx, user, { action: 'sso.link' });
    const gone = await r.sso.deleteLink(tenantId, userId, connectionId);
    if (!gone) throw notFound('link');
    const now = deps.clock.now();
    // Access follows its source (issue 14 #5): what the link opened ends with it.
    const sessionsEnded = await r.sso.endSessionsThrough(connectionId, { userId }, now);
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.link.deleted',
      targetType: 'user',
      targetId: userId,
      details: { connectionId, issuer: gone.issuer, subject: gone.subject, sessionsEnded },
    });
  });
}

export async function listUserLinks(deps: AuthDeps, ctx: Ctx, tenantId: string, userId: string) {
  assertManages(deps, ctx, tenantId);
  return ssoOf(deps).store.read(async (r) => {
    if (!(await r.users.findInTenant(tenantId, userId))) throw notFound('user');
    return r.sso.listLinks(tenantId, userId);
  });
}

/** A descendant's administrator opts in to (or out of) a connection its supplier offers. */
export async function setEnablement(
  deps: AuthDeps,
  ctx: Ctx,
  tenantId: string,
  connectionId: string,
  enabled: boolean,
): Promise<void> {
  assertManages(deps, ctx, tenantId);
  await ssoOf(deps).store.transaction(async (r) => {
    const c = await r.sso.findConnectionById(connectionId);
    if (!c || c.tenantId === tenantId || !c.offeredToSubtree) throw notFound('connection');
    const now = deps.clock.now();
    if (enabled) await r.sso.enable(tenantId, connectionId, now);
    else await r.sso.disable(tenantId, connectionId);
    // Checked after the write, in the same transaction: a tenant outside the subtree rolls back.
    if (enabled && !(await usableIn(r, c, tenantId))) throw notFound('connection');
    // Withdrawn: the sessions this tenant's users opened through it end too (issue 14 #5).
    const sessionsEnded = enabled ? 0 : await r.sso.endSessionsThrough(connectionId, { homeTenantId: tenantId }, now);
    await audit(r, ctx, now, {
      tenantId,
      action: enabled ? 'sso.connection.enabled' : 'sso.connection.disabled',
      targetType: 'sso_connection',
      targetId: connectionId,
      details: { ownerTenantId: c.tenantId, ...(enabled ? {} : { sessionsEnded }) },
    });
  });
}
