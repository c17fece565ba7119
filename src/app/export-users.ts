import { AppError, notFound } from '../domain/errors.js';
import type { ExportedUser } from '../domain/export-format.js';
import { audit, type Ctx, requirePermission } from './context.js';
import type { ImportDeps } from './import-users.js';

/** Password hashes leave Kontor only for a holder of this role, and always audited. */
export const HASH_EXPORT_ROLE = 'AdministrationAdvanced';
const PAGE = 2000;

export interface UserExport {
  fieldKeys: string[];
  withHashes: boolean;
  /** The tenant's own users, read page by page: memory stays flat for any tenant size. */
  users: AsyncIterable<ExportedUser>;
}

/**
 * Exports the tenant's own users (not shared-in ones: their home exports them) with roles,
 * companies and custom fields. `ctx` null is the operator (CLI). The export itself is audited
 * before the first row leaves.
 */
export async function exportUsers(
  deps: ImportDeps,
  ctx: Ctx | null,
  input: { tenantId: string; format: 'csv' | 'json'; passwordHashes?: boolean },
): Promise<UserExport> {
  const withHashes = input.passwordHashes === true;
  if (ctx) {
    if (input.tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
    requirePermission(ctx.actor, 'users.export', deps.catalogue);
    if (withHashes && !ctx.actor.roleKeys.has(HASH_EXPORT_ROLE)) {
      throw new AppError('grant.missing_permission', `Exporting password hashes needs the role ${HASH_EXPORT_ROLE}`);
    }
  }
  const { fieldKeys, companyNames } = await deps.store.transaction(async (repos) => {
    const tenant = await repos.tenants.findById(input.tenantId);
    if (!tenant) throw notFound('tenant');
    await audit(repos, ctx, deps.clock.now(), {
      tenantId: tenant.id,
      action: withHashes ? 'users.exported_with_password_hashes' : 'users.exported',
      targetType: 'tenant',
      targetId: tenant.id,
      details: { format: input.format, passwordHashes: withHashes },
    });
    return {
      fieldKeys: (await repos.fields.list(tenant.id)).map((f) => f.key),
      companyNames: new Map((await repos.companies.list(tenant.id)).map((c) => [c.id, c.name])),
    };
  });
  async function* users(): AsyncGenerator<ExportedUser> {
    let after: string | null = null;
    for (;;) {
      const page = await deps.importStore.read((r) => r.imports.exportPage(input.tenantId, after, PAGE, withHashes));
      for (const { loginLower: _, companyIds, ...u } of page) {
        yield { ...u, companies: companyIds.map((id) => companyNames.get(id) ?? id).sort() };
      }
      if (page.length < PAGE) return;
      after = page.at(-1)?.loginLower ?? null;
    }
  }
  return { fieldKeys, withHashes, users: users() };
}
