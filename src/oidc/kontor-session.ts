import type { IncomingMessage } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { AuthDeps } from '../app/auth/auth-deps.js';
import { resolvePrincipal } from '../app/auth/sessions.js';
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
  const header = req.headers.cookie;
  const sessionId = header ? fastifyCookie.parse(header)[cookieName] : undefined;
  if (!sessionId) return NOBODY;
  const p = await resolvePrincipal(deps, { sessionId }, { ip: null, requestId: null }).catch(() => undefined);
  if (p?.kind !== 'session' || p.mustChangePassword) return NOBODY;
  const ids = new Set([p.ctx.actor.userId]);
  for (const l of await linkedTenants(deps, p)) ids.add(l.userId);
  return ids;
}
