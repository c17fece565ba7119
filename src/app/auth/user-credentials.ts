import type { ApiToken } from '../../domain/auth-ports.js';
import { notFound } from '../../domain/errors.js';
import { audit } from '../context.js';
import { findManagedUser } from '../user-access.js';
import type { AuthDeps, Principal } from './auth-deps.js';

/**
 * An administrator's hold on another user's credentials (issue 20 #4): list and revoke its API
 * tokens, end its sessions. `users.lock` is the permission: a lock already ends every session
 * and token of the user, so whoever may lock may take these smaller steps, and whoever may only
 * read users does not see which tokens exist. The rank rule applies (`tokens.manage`,
 * `sessions.end`): ending a stronger administrator's credentials is a step towards its account.
 */
const PERMISSION = 'users.lock';

export async function listUserTokens(deps: AuthDeps, p: Principal, userId: string): Promise<ApiToken[]> {
  return deps.authStore.read(async (r) => {
    const { user } = await findManagedUser(r, deps, p.ctx, userId, PERMISSION, { rank: 'tokens.manage' });
    return r.apiTokens.listForUser(user.id);
  });
}

/** A token id that is not one of this user's live tokens answers like any missing resource. */
export async function revokeUserToken(deps: AuthDeps, p: Principal, userId: string, tokenId: string): Promise<void> {
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, p.ctx, userId, PERMISSION, { rank: 'tokens.manage' });
    if (!(await r.apiTokens.revoke(user.id, tokenId, now))) throw notFound('token');
    await audit(r, p.ctx, now, {
      tenantId: user.tenantId,
      action: 'api_token.revoked',
      targetType: 'api_token',
      targetId: tokenId,
      details: { userId: user.id },
    });
  });
}

/**
 * Ends every session of the user. On oneself the session making the request stays, as with a
 * password change: the caller asked to sign the others out, not himself.
 */
export async function endUserSessions(deps: AuthDeps, p: Principal, userId: string): Promise<{ revoked: number }> {
  return deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(r, deps, p.ctx, userId, PERMISSION, { rank: 'sessions.end' });
    const keep = user.id === p.ctx.actor.userId ? p.sessionHash : undefined;
    const revoked = await r.sessions.revokeAllForUser(user.id, now, keep);
    await audit(r, p.ctx, now, {
      tenantId: user.tenantId,
      action: 'user.sessions_revoked',
      targetType: 'user',
      targetId: user.id,
      details: { revoked },
    });
    return { revoked };
  });
}
