import type { IncomingMessage } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { AuthDeps, Principal } from '../app/auth/auth-deps.js';
import { resolvePrincipal } from '../app/auth/sessions.js';
import { oidcClaims } from '../app/oidc/accounts.js';
import { oidcTenantChoices } from '../app/oidc/acting-tenant.js';
import { linkedTenants } from '../app/sso/msp.js';

const NOBODY: ReadonlySet<string> = new Set();

/**
 * The users a browser's Kontor session may act as: its own and, for an SSO session, the users
 * linked to the same identity elsewhere (the MSP switch). Resolved exactly as the API resolves
 * a session (a lock, a revoked or idle session: nobody).
 */
export async function signedInAs(
  deps: AuthDeps,
  cookieName: string,
  req: IncomingMessage,
): Promise<ReadonlySet<string>> {
  const p = await sessionOf(deps, cookieName, req);
  if (!p) return NOBODY;
  const ids = new Set([p.ctx.actor.userId]);
  for (const l of await linkedTenants(deps, p)) ids.add(l.userId);
  return ids;
}

/**
 * Whom a browser's Kontor session acts as in a tenant: the choice the interaction would offer
 * (home, an effective share, an SSO link) with its claims checked now; undefined otherwise.
 */
export async function reachFrom(
  deps: AuthDeps,
  cookieName: string,
  req: IncomingMessage,
  tenantId: string,
): Promise<{ userId: string; cameFrom: string | null } | undefined> {
  const p = await sessionOf(deps, cookieName, req);
  if (!p) return undefined;
  const choice = (await oidcTenantChoices(deps, p)).find((c) => c.tenant.id === tenantId);
  if (!choice || !(await oidcClaims(deps, choice.userId, tenantId, choice.cameFrom))) return undefined;
  return { userId: choice.userId, cameFrom: choice.cameFrom };
}

/** The live Kontor session of a request, resolved as the API resolves it; undefined: none. */
async function sessionOf(deps: AuthDeps, cookieName: string, req: IncomingMessage): Promise<Principal | undefined> {
  const header = req.headers.cookie;
  const sessionId = header ? fastifyCookie.parse(header)[cookieName] : undefined;
  if (!sessionId) return undefined;
  const p = await resolvePrincipal(deps, { sessionId }, { ip: null, requestId: null }).catch(() => undefined);
  // A session held at a forced password change or at MFA enrolment (issue 16) opens no app.
  return p?.kind === 'session' && !p.mustChangePassword && !p.mfaRestricted ? p : undefined;
}
