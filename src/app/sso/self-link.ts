import { AppError, isAppError, notFound } from '../../domain/errors.js';
import type { IdClaims, SsoConnection } from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import { type AuthDeps, authAudit, type Principal, seconds } from '../auth/auth-deps.js';
import type { RequestMeta } from '../context.js';
import { beginFlow, refuse, safeReturnTo, unusable } from './flow.js';
import { ssoOf } from './sso-deps.js';

/**
 * A user signed in locally starts linking its own external identity. The flow state is the
 * single-use proof: bound to this user, this connection and this browser; the subject is bound
 * when the provider answers. Only a session (not an API token) may start it.
 */
export async function startSelfLink(
  deps: AuthDeps,
  p: Principal,
  input: { connectionId: string; returnTo?: string | undefined },
): Promise<{ redirectUrl: string; browser: string }> {
  if (p.kind !== 'session') throw new AppError('auth.forbidden', 'Link an identity from a signed-in session');
  const { actor, meta } = p.ctx;
  const returnTo = safeReturnTo(input.returnTo);
  const { c, tenant } = await ssoOf(deps).store.read(async (r) => ({
    c: await r.sso.findConnectionById(input.connectionId),
    tenant: await r.tenants.findById(actor.homeTenantId),
  }));
  if (await unusable(deps, c, tenant)) throw notFound('connection');
  return beginFlow(deps, meta, { c: c as SsoConnection, tenant: tenant as Tenant, returnTo, linkUserId: actor.userId });
}

/**
 * Completes a self-link: the browser must still hold a live session of the very user who
 * started it. Refusals (another user signed in, identity already linked) are audited.
 */
export async function completeSelfLink(
  deps: AuthDeps,
  meta: RequestMeta,
  f: {
    c: SsoConnection;
    tenant: Tenant;
    userId: string;
    identity: { issuer: string; subject: string; claims: IdClaims };
    sessionId: string | undefined;
  },
): Promise<void> {
  const now = deps.clock.now();
  const idleSince = seconds(now, -deps.settings.sessionIdleSeconds);
  const session = f.sessionId
    ? await deps.authStore.read((r) => r.sessions.findLive(deps.tokens.hash(f.sessionId as string), now, idleSince))
    : undefined;
  const extra = { connectionId: f.c.id, userId: f.userId };
  if (session?.userId !== f.userId) return refuse(deps, meta, f.tenant.id, 'self_link_other_session', extra);
  const failed = await ssoOf(deps)
    .store.transaction(async (r) => {
      const user = await r.users.findInTenant(f.tenant.id, f.userId);
      if (user?.state !== 'active') return `user_${user?.state ?? 'missing'}`;
      const { issuer, subject } = f.identity;
      await r.sso.insertLink({
        tenantId: f.tenant.id,
        userId: user.id,
        connectionId: f.c.id,
        issuer,
        subject,
        createdAt: now,
        createdBy: 'self',
      });
      await authAudit(r, meta, now, {
        tenantId: f.tenant.id,
        action: 'sso.link.created',
        targetType: 'user',
        targetId: user.id,
        actor: { userId: user.id, actingTenantId: f.tenant.id },
        details: { connectionId: f.c.id, issuer, subject, by: 'self' },
      });
      return undefined;
    })
    .catch((e) => {
      if (isAppError(e) && e.code === 'sso.link_exists') return 'already_linked';
      throw e;
    });
  if (failed) return refuse(deps, meta, f.tenant.id, failed, extra);
}
