import { AppError } from '../../domain/errors.js';
import type { Tenant } from '../../domain/tenant.js';
import type { AuthDeps, Principal } from '../auth/auth-deps.js';
import { me } from '../auth/me.js';
import { linkedTenants } from '../sso/msp.js';
import { type OidcClaims, oidcClaims } from './accounts.js';

/** A tenant a signed-in person may act for in an app, and the Kontor user who acts there. */
export interface OidcTenantChoice {
  tenant: Pick<Tenant, 'id' | 'slug' | 'name' | 'kind'>;
  /** The user's id there: the person's own, or the user linked to the same SSO identity (MSP). */
  userId: string;
  relation: 'home' | 'shared' | 'sso';
  /** Through an SSO link: the tenant the person came from (her Kontor session's home), else null. */
  cameFrom: string | null;
}

/**
 * Where the person behind a Kontor session may act, exactly as Kontor lists it (home, effective
 * shares, tenants linked to the same external identity): an app offers no tenant Kontor would
 * refuse to switch to.
 */
export async function oidcTenantChoices(deps: AuthDeps, p: Principal): Promise<OidcTenantChoice[]> {
  const view = await me(deps, p);
  const linked = await linkedTenants(deps, p);
  const out: OidcTenantChoice[] = [];
  for (const t of view.tenants) {
    const userId = t.relation === 'sso' ? linked.find((l) => l.tenant.id === t.id)?.userId : p.ctx.actor.userId;
    if (!userId) continue;
    const cameFrom = t.relation === 'sso' ? p.ctx.actor.homeTenantId : null;
    out.push({
      tenant: { id: t.id, slug: t.slug, name: t.name, kind: t.kind },
      userId,
      relation: t.relation,
      cameFrom,
    });
  }
  return out;
}

/**
 * The tenant an authorization request names: the `tenant` parameter (a slug), else a
 * `login_hint` of the form `tenant:<slug>` or `<login>@<slug>`; undefined when it names none.
 */
export function requestedTenantSlug(params: Record<string, unknown>): string | undefined {
  const t = params.tenant;
  if (typeof t === 'string' && t.length > 0) return t.toLowerCase();
  const hint = params.login_hint;
  if (typeof hint !== 'string') return undefined;
  if (hint.startsWith('tenant:')) return hint.slice('tenant:'.length).toLowerCase() || undefined;
  const at = hint.lastIndexOf('@');
  return at > 0 && at < hint.length - 1 ? hint.slice(at + 1).toLowerCase() : undefined;
}

/**
 * The choice for `tenantId` with the claims it would carry, checked now; throws
 * `oidc.tenant_refused` when the person may not act there (never a hint of why).
 */
export async function confirmTenantChoice(
  deps: AuthDeps,
  p: Principal,
  match: (c: OidcTenantChoice) => boolean,
): Promise<{ choice: OidcTenantChoice; claims: OidcClaims }> {
  const choice = (await oidcTenantChoices(deps, p)).find(match);
  const claims = choice && (await oidcClaims(deps, choice.userId, choice.tenant.id, choice.cameFrom));
  if (!choice || !claims) throw new AppError('oidc.tenant_refused', 'You may not act for this tenant here');
  return { choice, claims };
}
