import { isAppError } from '../../domain/errors.js';
import type { ScimRepos } from '../../domain/scim.js';
import { type AppDeps, audit, type Ctx } from '../context.js';
import { assertOutranks } from '../user-access.js';

/**
 * Whether the caller may vouch for this user's address, by the rules of attestEmail
 * (`users.email.attest`, rank `email.attest`), answered rather than thrown: a refusal is not an
 * error here, because provisioning clients send `verified` whether or not the token may attest.
 */
async function mayAttest(repos: ScimRepos, ctx: Ctx, user: { id: string; tenantId: string }): Promise<boolean> {
  if (!ctx.actor.permissions.has('users.email.attest')) return false;
  try {
    await assertOutranks(repos, ctx, user, { action: 'email.attest' });
    return true;
  } catch (e) {
    if (isAppError(e) && e.code === 'grant.target_outranks') return false;
    throw e;
  }
}

/**
 * Honours a SCIM client's `emails[].verified: true` for an own user, on the caller's transaction
 * and after the address was written: the current address is marked verified, with the event
 * attestEmail writes (`user.email_attested`, `via: 'scim'`), when the token's user may attest
 * it. Verified-email SSO linking trusts that mark, so an untrusted claim is ignored: the
 * address stays unverified and its owner confirms it by the link. An address verified already
 * is left alone (no event), so an IdP repeating its values writes nothing.
 * Returns whether the address was marked.
 */
export async function attestScimEmail(
  deps: AppDeps,
  repos: ScimRepos,
  ctx: Ctx,
  tenantId: string,
  userId: string,
): Promise<boolean> {
  const user = await repos.users.findInTenant(tenantId, userId);
  if (!user?.email) return false;
  if ((await repos.users.verifiedIds([user.id])).has(user.id)) return false;
  if (!(await mayAttest(repos, ctx, user))) return false;
  const now = deps.clock.now();
  await repos.users.markEmailVerified(user.tenantId, user.id, user.email, now);
  await audit(repos, ctx, now, {
    tenantId: user.tenantId,
    action: 'user.email_attested',
    targetType: 'user',
    targetId: user.id,
    details: { email: user.email, via: 'scim' },
  });
  return true;
}
