import type { Company } from '../../domain/company.js';
import { notFound } from '../../domain/errors.js';
import { Checker } from '../../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, requirePermission } from '../context.js';

/** Renames a company of the acting tenant (SCIM group displayName); a taken name is a conflict. */
export async function renameCompany(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; companyId: string; name: unknown },
): Promise<Company> {
  const c = new Checker();
  const name = c.string('name', input.name, { max: 200 })?.trim();
  if (name === '') c.fail('name', 'too_short', 'At least 1 character');
  assertNoErrors(c.errors);
  if (input.tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
  requirePermission(ctx.actor, 'companies.manage', deps.catalogue);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const before = await repos.companies.findById(input.tenantId, input.companyId);
    if (!before) throw notFound('company');
    const renamed = await repos.companies.rename(input.tenantId, input.companyId, name as string);
    if (!renamed) throw notFound('company');
    await audit(repos, ctx, now, {
      tenantId: input.tenantId,
      action: 'company.renamed',
      targetType: 'company',
      targetId: renamed.id,
      details: { from: before.name, to: renamed.name },
    });
    return renamed;
  });
}
