import { AppError, isAppError } from '../../domain/errors.js';
import type { SsoConnection } from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import { type AuthDeps, authAudit, seconds } from '../auth/auth-deps.js';
import type { RequestMeta } from '../context.js';
import { ssoOf, usableIn } from './sso-deps.js';

export const callbackPath = (connectionId: string) => `/api/v1/auth/sso/${connectionId}/callback`;

/** Only a path on this server: `//evil`, `/\evil` and absolute URLs would be open redirects. */
export function safeReturnTo(v: string | undefined): string | null {
  if (v === undefined || v === '') return null;
  if (!v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || /[\s\\]/.test(v) || v.length > 500) {
    throw new AppError('validation.invalid', 'returnTo must be a path on this server');
  }
  return v;
}

/** Writes a refusal to the tenant's log in its own transaction (the attempt wrote nothing) and throws. */
export async function refuse(
  deps: AuthDeps,
  meta: RequestMeta,
  tenantId: string | undefined,
  reason: string,
  extra: Record<string, unknown> = {},
): Promise<never> {
  if (tenantId) {
    await deps.authStore.transaction((r) =>
      authAudit(r, meta, deps.clock.now(), {
        tenantId,
        action: 'auth.sso_refused',
        targetType: 'user',
        targetId: typeof extra.userId === 'string' ? extra.userId : null,
        details: { reason, ...extra },
      }),
    );
  }
  throw new AppError('sso.rejected', 'The external sign-in was refused', { details: { reason } });
}

/** Why a tenant or connection cannot be used for sign-in now; undefined when it can. */
export async function unusable(deps: AuthDeps, c: SsoConnection | undefined, tenant: Tenant | undefined) {
  if (!c || !tenant) return 'unknown_connection';
  if (!c.enabled) return 'connection_disabled';
  if (tenant.status !== 'active') return `tenant_${tenant.status}`;
  const ok = await ssoOf(deps).store.read((r) => usableIn(r, c, tenant.id));
  return ok ? undefined : 'connection_not_enabled';
}

/**
 * Fresh state, nonce and PKCE verifier, kept server-side and bound to a random browser value
 * (returned for a cookie), to the connection and the tenant, and for a self-link to the user.
 */
export async function beginFlow(
  deps: AuthDeps,
  meta: RequestMeta,
  f: { c: SsoConnection; tenant: Tenant; returnTo: string | null; linkUserId: string | null },
): Promise<{ redirectUrl: string; browser: string }> {
  const sso = ssoOf(deps);
  const { c, tenant } = f;
  const state = deps.tokens.randomToken();
  const nonce = deps.tokens.randomToken();
  const browser = deps.tokens.randomToken();
  const codeVerifier = sso.rp.randomVerifier();
  const now = deps.clock.now();
  await sso.store.read((r) =>
    r.sso.insertFlow({
      stateHash: deps.tokens.hash(state),
      browserHash: deps.tokens.hash(browser),
      connectionId: c.id,
      tenantId: tenant.id,
      nonce,
      codeVerifier,
      returnTo: f.returnTo,
      linkUserId: f.linkUserId,
      createdAt: now,
      expiresAt: seconds(now, sso.flowSeconds),
    }),
  );
  const redirectUri = `${deps.settings.publicUrl}${callbackPath(c.id)}`;
  const redirectUrl = await sso.rp.begin(c, { redirectUri, state, nonce, codeVerifier }).catch((e) => {
    if (!isAppError(e)) throw e;
    return refuse(deps, meta, tenant.id, String(e.details?.reason ?? 'discovery_failed'), { connectionId: c.id });
  });
  return { redirectUrl, browser };
}
