import type { ScimRepos } from '../../domain/scim.js';
import { isValidLoginName, type User } from '../../domain/user.js';
import { Checker } from '../../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx } from '../context.js';
import { findManagedUser } from '../user-access.js';

/**
 * Renames an own user's login name, as Entra does when a userPrincipalName changes. Needs
 * users.update like any profile change; a taken name is refused by the unique index
 * (`user.login_taken`), never by a check that a concurrent rename could slip past.
 */
export async function renameLogin(
  repos: ScimRepos,
  deps: AppDeps,
  ctx: Ctx,
  input: { user: User; loginName: unknown },
): Promise<void> {
  const c = new Checker();
  const loginName = c.string('userName', input.loginName, { max: 254 });
  if (loginName !== undefined && !isValidLoginName(loginName)) {
    c.fail('userName', 'format', 'Letters, digits and . _ @ + -');
  }
  assertNoErrors(c.errors);
  const { user } = await findManagedUser(repos, deps, ctx, input.user.id, 'users.update', {
    rank: 'login.change',
  });
  const now = deps.clock.now();
  await repos.scim.renameLogin(user.tenantId, user.id, loginName as string, now);
  await audit(repos, ctx, now, {
    tenantId: user.tenantId,
    action: 'user.login_renamed',
    targetType: 'user',
    targetId: user.id,
    details: { from: user.loginName, to: loginName },
  });
}
