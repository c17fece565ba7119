import { isAdminRole, isOperationRole } from '../../domain/role.js';
import { emailLinkDecision, type IdClaims, type SsoConnection, type SsoRepos } from '../../domain/sso.js';
import type { Tenant } from '../../domain/tenant.js';
import type { User } from '../../domain/user.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import { loadRoleMap } from '../context.js';
import { insertUserWithRoles } from '../create-user.js';

export type Resolution =
  | { ok: true; user: User; linkedBy?: 'verified-email' | 'jit' }
  | { ok: false; reason: string; userId?: string };

const refuse = (reason: string, userId?: string): Resolution => ({ ok: false, reason, ...(userId ? { userId } : {}) });

/**
 * Finds the user an external identity signs in as, inside the caller's transaction. A link
 * (connection, issuer, subject) decides; without one, only the connection's policy may make
 * one: `verified-email` under all conditions of {@link emailLinkDecision}, `jit` by creating a
 * secondary user. A refusal writes nothing, so the caller can roll back and audit alone.
 */
export async function resolveUser(
  r: SsoRepos,
  deps: AuthDeps,
  c: SsoConnection,
  tenant: Tenant,
  identity: { issuer: string; subject: string; claims: IdClaims },
): Promise<Resolution> {
  const link = await r.sso.findLink(tenant.id, c.id, identity.issuer, identity.subject);
  if (link) {
    const user = await r.users.findInTenant(tenant.id, link.userId);
    if (!user) return refuse('no_user');
    return user.state === 'active' ? { ok: true, user } : refuse(`user_${user.state}`, user.id);
  }
  if (c.linkPolicy === 'manual') return refuse('not_linked');
  const now = deps.clock.now();
  const newLink = (userId: string, by: string) =>
    r.sso.insertLink({ tenantId: tenant.id, userId, connectionId: c.id, ...identity, createdAt: now, createdBy: by });
  const email = identity.claims[c.claimMapping.email];
  if (c.linkPolicy === 'verified-email') {
    const ids = typeof email === 'string' ? await r.sso.usersByVerifiedEmail(tenant.id, email) : [];
    // Two local users with one verified address: ambiguous, so nobody is linked.
    if (ids.length > 1) return refuse('email_ambiguous');
    const user = ids[0] ? await r.users.findInTenant(tenant.id, ids[0]) : undefined;
    const local = user && { email: user.email, verifiedEmail: await r.sso.verifiedEmail(tenant.id, user.id) };
    const d = emailLinkDecision(identity.claims, c.claimMapping, c.vouchedDomains, local);
    if (!d.link || !user) return refuse(d.link ? 'no_local_user' : d.reason);
    if (user.state !== 'active') return refuse(`user_${user.state}`, user.id);
    await newLink(user.id, 'verified-email');
    return { ok: true, user, linkedBy: 'verified-email' };
  }
  return jitCreate(r, deps, c, tenant, identity, newLink);
}

async function jitCreate(
  r: SsoRepos,
  deps: AuthDeps,
  c: SsoConnection,
  tenant: Tenant,
  identity: { issuer: string; subject: string; claims: IdClaims },
  newLink: (userId: string, by: string) => Promise<void>,
): Promise<Resolution> {
  // The roles were checked by the grant rules when configured; nobody grants at sign-in, so
  // administration and operation roles are refused outright even if a role changed category.
  const roles = await loadRoleMap(r);
  if (c.jitRoles.some((k) => !roles.has(k) || isAdminRole(roles.get(k)) || isOperationRole(roles.get(k)))) {
    return refuse('jit_roles_not_allowed');
  }
  const email = identity.claims[c.claimMapping.email];
  const name = identity.claims[c.claimMapping.name];
  // Only a verified address is copied: an unverified one must not look trustworthy later.
  const verified = typeof email === 'string' && identity.claims.email_verified === true ? email : null;
  const loginName = `sso.${deps.tokens
    .randomToken()
    .slice(0, 12)
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
  const created = await insertUserWithRoles(r, deps, null, tenant, {
    loginName,
    email: verified,
    displayName: typeof name === 'string' && name.length > 0 ? name.slice(0, 200) : loginName,
    type: 'secondary',
    password: undefined,
    roles: c.jitRoles,
    companyIds: [],
    customFields: {},
    passwordHash: null,
    mustChangePassword: false,
  });
  await newLink(created.user.id, 'jit');
  return { ok: true, user: created.user, linkedBy: 'jit' };
}
