import { isAppError } from '../../domain/errors.js';
import { subjectOf } from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import { openSession } from '../auth/sessions.js';
import type { RequestMeta } from '../context.js';
import { policyOf } from '../security-policy.js';
import { beginFlow, callbackPath, refuse, safeReturnTo, unusable } from './flow.js';
import { resolveUser } from './resolve-user.js';
import { completeSelfLink } from './self-link.js';
import { ssoOf, usableIn } from './sso-deps.js';
import { throttleSsoStart } from './start-throttle.js';

/** Starts a sign-in at the connection's provider for a tenant (default: the connection's own). */
export async function startSso(
  deps: AuthDeps,
  input: { connectionId: string; tenant?: string | undefined; returnTo?: string | undefined },
  meta: RequestMeta,
): Promise<{ redirectUrl: string; browser: string }> {
  await throttleSsoStart(deps, meta);
  const returnTo = safeReturnTo(input.returnTo);
  const { c, tenant } = await ssoOf(deps).store.read(async (r) => {
    const c = await r.sso.findConnectionById(input.connectionId);
    const tenant = input.tenant
      ? await r.tenants.findBySlug(input.tenant)
      : c && (await r.tenants.findById(c.tenantId));
    return { c, tenant };
  });
  const why = await unusable(deps, c, tenant);
  if (why || !c || !tenant) return refuse(deps, meta, tenant?.id ?? c?.tenantId, why ?? 'unknown_connection');
  return beginFlow(deps, meta, { c, tenant, returnTo, linkUserId: null });
}

export interface SsoCallbackInput {
  connectionId: string;
  /** The raw query string of the callback, exactly as the provider sent it. */
  query: string;
  state: string | undefined;
  browser: string | undefined;
  previousSessionId?: string | undefined;
}

export type SsoCallbackResult = SsoSignedIn | { kind: 'linked'; returnTo: string | null };

export interface SsoSignedIn {
  kind: 'signed-in';
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
  tenant: Tenant;
  returnTo: string | null;
}

/**
 * Completes a sign-in. The flow is consumed first (single use, even when a later check fails),
 * must belong to this connection and this browser; then the relying party validates the
 * response; then the identity is mapped to a user and a normal Kontor session is opened.
 */
export async function completeSso(
  deps: AuthDeps,
  input: SsoCallbackInput,
  meta: RequestMeta,
): Promise<SsoCallbackResult> {
  const sso = ssoOf(deps);
  const c = await sso.store.read((r) => r.sso.findConnectionById(input.connectionId));
  const flow = input.state
    ? await sso.store.read((r) => r.sso.consumeFlow(deps.tokens.hash(input.state as string), deps.clock.now()))
    : undefined;
  if (!flow) return refuse(deps, meta, c?.tenantId, 'state_unknown_or_used');
  if (flow.connectionId !== input.connectionId) return refuse(deps, meta, flow.tenantId, 'state_other_connection');
  if (!input.browser || deps.tokens.hash(input.browser) !== flow.browserHash) {
    return refuse(deps, meta, flow.tenantId, 'state_other_browser');
  }
  const tenant = await sso.store.read((r) => r.tenants.findById(flow.tenantId));
  const why = await unusable(deps, c, tenant);
  if (why || !c || !tenant) return refuse(deps, meta, flow.tenantId, why ?? 'unknown_connection');
  // The security policy may name the connections sign-in may use (issue 16 #4).
  const allowed = (await sso.store.read((r) => policyOf(r, tenant.id, deps.settings))).ssoConnections.value;
  if (allowed && !allowed.includes(c.id)) {
    return refuse(deps, meta, tenant.id, 'connection_not_allowed_by_policy', { connectionId: c.id });
  }
  const callbackUrl = `${deps.settings.publicUrl}${callbackPath(c.id)}?${input.query}`;
  const claims = await sso.rp
    .complete(c, { callbackUrl, state: input.state as string, nonce: flow.nonce, codeVerifier: flow.codeVerifier })
    .catch((e) => {
      if (!isAppError(e)) throw e;
      // The library's message names the failed check (claim, alg); it carries no token or secret.
      const message = e.details?.message;
      return refuse(deps, meta, tenant.id, String(e.details?.reason ?? 'invalid_response'), {
        connectionId: c.id,
        ...(typeof message === 'string' ? { message } : {}),
      });
    });
  const subject = subjectOf(claims, c.claimMapping);
  if (!subject) return refuse(deps, meta, tenant.id, 'subject_claims_missing', { connectionId: c.id });
  const identity = { issuer: claims.iss, subject, claims };
  if (flow.linkUserId) {
    await completeSelfLink(deps, meta, {
      c,
      tenant,
      userId: flow.linkUserId,
      identity,
      sessionId: input.previousSessionId,
    });
    return { kind: 'linked', returnTo: flow.returnTo };
  }
  const done = await sso.store
    .transaction(async (r) => {
      const res = await resolveUser(r, deps, c, tenant, identity);
      if (!res.ok) return res;
      const opened = await openSession(r, deps, meta, {
        user: res.user,
        tenant,
        previousSessionId: input.previousSessionId,
        details: { method: 'sso', connectionId: c.id, ...(res.linkedBy ? { linkedBy: res.linkedBy } : {}) },
        // RFC 8176 `fed`: the IdP vouched; Kontor's own factor is asked for where policy requires one.
        amr: ['fed'],
      });
      await r.sso.rememberSessionIdentity(deps.tokens.hash(opened.sessionId), {
        connectionId: c.id,
        issuer: identity.issuer,
        subject,
      });
      return { ok: true as const, ...opened, user: res.user };
    })
    .catch((e) => {
      // A JIT user the tenant's required fields refuse, a race on the link: refused, not a 500.
      if (isAppError(e)) return { ok: false as const, reason: `failed_${e.code}` };
      throw e;
    });
  if (!done.ok) {
    // The validated identity goes into the log: who tried is what an investigation needs.
    const extra = {
      connectionId: c.id,
      issuer: identity.issuer,
      subject,
      ...('userId' in done && done.userId ? { userId: done.userId } : {}),
    };
    return refuse(deps, meta, tenant.id, done.reason, extra);
  }
  return { kind: 'signed-in', ...done, tenant, returnTo: flow.returnTo };
}

/**
 * The sign-in options of a tenant, for its login page: enabled own connections and offered
 * ones it enabled. An unknown or inactive tenant has none (the answer does not tell which).
 */
export async function signInOptions(deps: AuthDeps, slug: string) {
  return ssoOf(deps).store.read(async (r) => {
    const tenant = await r.tenants.findBySlug(slug);
    if (tenant?.status !== 'active') return [];
    const offered = [];
    for (const id of await r.sso.enabledConnectionIds(tenant.id)) {
      const c = await r.sso.findConnectionById(id);
      if (c && (await usableIn(r, c, tenant.id))) offered.push(c);
    }
    const allowed = (await policyOf(r, tenant.id, deps.settings)).ssoConnections.value;
    return [...(await r.sso.listConnections(tenant.id)), ...offered]
      .filter((c) => c.enabled && (!allowed || allowed.includes(c.id)))
      .map((c) => ({ id: c.id, name: c.name, startUrl: `/api/v1/auth/sso/${c.id}/start?tenant=${tenant.slug}` }));
  });
}
