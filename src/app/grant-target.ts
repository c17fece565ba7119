import type { GrantTarget } from '../domain/grant-rules.js';
import type { Repos } from '../domain/ports.js';
import { shareIsEffective } from '../domain/share.js';
import type { User } from '../domain/user.js';

/** What the grant rules need to know about a user, seen from the actor's acting tenant. */
export async function grantTargetFor(
  repos: Repos,
  user: Pick<User, 'id' | 'type' | 'tenantId'>,
  actingTenantId: string,
  now: Date,
): Promise<GrantTarget> {
  const home = await repos.tenants.findById(user.tenantId);
  if (!home) throw new Error(`home tenant of ${user.id} missing`);
  const share = actingTenantId === home.id ? undefined : await repos.shares.findOpen(user.id, actingTenantId);
  return {
    userId: user.id,
    type: user.type,
    homeTenantId: home.id,
    homeTenantKind: home.kind,
    homeParentId: home.parentId,
    sharedIntoActingTenant: share !== undefined && shareIsEffective(share, now),
  };
}
