import { AppError, notFound } from '../../domain/errors.js';
import type { SsoRepos } from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import type { AuthDeps, Principal } from '../auth/auth-deps.js';
import { authAudit } from '../auth/auth-deps.js';
import { logout, openSession } from '../auth/sessions.js';
import { usableIn } from './sso-deps.js';

export interface LinkedTenant {
  tenant: Tenant;
  userId: string;
}

/**
 * Tenants where the external identity of this session is linked to an active user, through a
 * connection that is enabled and usable there. Empty for a password session or an API token.
 * Only links made through the connection that opened the session count (an offered connection is
 * one connection across the owner's subtree): each connection maps "subject" from claims it
 * chooses, so another tenant's own connection to the same issuer could claim anyone's subject.
 */
export async function linkedTenantsIn(r: SsoRepos, sessionHash: string | undefined): Promise<LinkedTenant[]> {
  if (!sessionHash) return [];
  const id = await r.sso.sessionIdentity(sessionHash);
  if (!id) return [];
  const out: LinkedTenant[] = [];
  for (const l of await r.sso.linksOfIdentity(id.issuer, id.subject)) {
    if (l.connectionId !== id.connectionId) continue;
    const [tenant, user, c] = [
      await r.tenants.findById(l.tenantId),
      await r.users.findInTenant(l.tenantId, l.userId),
      await r.sso.findConnectionById(l.connectionId),
    ];
    if (tenant?.status !== 'active' || user?.state !== 'active' || !c?.enabled) continue;
    if (!(await usableIn(r, c, tenant.id))) continue;
    if (!out.some((o) => o.tenant.id === tenant.id)) out.push({ tenant, userId: user.id });
  }
  return out;
}

export async function linkedTenants(deps: AuthDeps, p: Principal): Promise<LinkedTenant[]> {
  if (!deps.sso || p.kind !== 'session') return [];
  return deps.sso.store.read((r) => linkedTenantsIn(r, p.sessionHash));
}

/**
 * The MSP switch: signs in as the user linked to the same (issuer, subject) in another tenant,
 * without a new round trip to the provider. The new session ends when the old one would have
 * (no lifetime is gained by switching); the old one is revoked; both tenants log the switch.
 */
export async function switchLinkedTenant(deps: AuthDeps, p: Principal, tenantId: string) {
  const sso = deps.sso;
  if (!sso || p.kind !== 'session' || !p.sessionHash) {
    throw new AppError('auth.forbidden', 'Only a session opened through SSO can switch this way');
  }
  const from = p.ctx.actor;
  const hash = p.sessionHash;
  return sso.store.transaction(async (r) => {
    const target = (await linkedTenantsIn(r, hash)).find((t) => t.tenant.id === tenantId);
    if (!target || tenantId === from.homeTenantId) throw notFound('tenant');
    const now = deps.clock.now();
    const current = await r.sessions.findLive(hash, now, new Date(0));
    const identity = await r.sso.sessionIdentity(hash);
    const user = await r.users.findInTenant(tenantId, target.userId);
    if (!current || !identity || !user) throw new AppError('auth.unauthenticated');
    await r.sessions.revoke(hash, now);
    const opened = await openSession(r, deps, p.ctx.meta, {
      user,
      tenant: target.tenant,
      expiresAt: current.expiresAt,
      details: { method: 'sso-switch', fromTenantId: from.homeTenantId, fromUserId: from.userId },
      // The same person, by the same external identity, in the same sign-in: how it authenticated
      // carries over (decision 0018); the target's policy then judges it like any session.
      amr: current.amr,
      authTime: current.authTime,
    });
    await r.sso.rememberSessionIdentity(deps.tokens.hash(opened.sessionId), identity);
    await authAudit(r, p.ctx.meta, now, {
      tenantId: from.homeTenantId,
      action: 'auth.sso_switched_away',
      targetType: 'tenant',
      targetId: tenantId,
      actor: from,
      details: { toUserId: user.id },
    });
    return { ...opened, user, tenant: target.tenant };
  });
}

/**
 * Ends the Kontor session (like local logout) and, when it was opened through a provider that
 * supports RP-initiated logout, answers where to send the browser to end the provider's session.
 * The provider URL is computed before the session row (and its identity) is gone.
 */
export async function ssoLogout(deps: AuthDeps, p: Principal): Promise<{ endSessionUrl: string | null }> {
  let endSessionUrl: string | undefined;
  if (deps.sso && p.kind === 'session' && p.sessionHash) {
    const sso = deps.sso;
    const hash = p.sessionHash;
    const c = await sso.store.read(async (r) => {
      const id = await r.sso.sessionIdentity(hash);
      return id && r.sso.findConnectionById(id.connectionId);
    });
    if (c) endSessionUrl = await sso.rp.endSessionUrl(c, `${deps.settings.publicUrl}/`);
  }
  await logout(deps, p);
  return { endSessionUrl: endSessionUrl ?? null };
}
