import type { ScimRepos, ScimResourceType } from '../../domain/scim.js';
import { type AppDeps, audit, type Ctx } from '../context.js';

/**
 * Sets or clears the provisioning client's id of a user or company, with an activity-log entry:
 * the external id decides which Entra object a Kontor user follows, so a change must be traceable.
 */
export async function setExternalId(
  repos: ScimRepos,
  deps: AppDeps,
  ctx: Ctx,
  r: { type: ScimResourceType; tenantId: string; id: string; externalId: string | null },
): Promise<void> {
  await repos.scim.setExternalId(r.tenantId, r.type, r.id, r.externalId);
  await audit(repos, ctx, deps.clock.now(), {
    tenantId: r.tenantId,
    action: 'scim.external_id_set',
    targetType: r.type === 'User' ? 'user' : 'company',
    targetId: r.id,
    details: { externalId: r.externalId },
  });
}
