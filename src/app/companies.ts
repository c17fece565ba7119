import type { Company } from '../domain/company.js';
import { FIELD_TYPES, type FieldDefinition, type FieldType, validateFieldDefinition } from '../domain/custom-fields.js';
import { AppError, notFound } from '../domain/errors.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx, requirePermission } from './context.js';

const ownTenant = (ctx: Ctx, tenantId: string) => {
  if (tenantId !== ctx.actor.actingTenantId) throw notFound('tenant');
};

export async function listCompanies(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<Company[]> {
  ownTenant(ctx, tenantId);
  if (!ctx.actor.permissions.has('users.read')) requirePermission(ctx.actor, 'companies.manage', deps.catalogue);
  return deps.store.read((r) => r.companies.list(tenantId));
}

export async function createCompany(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; name: unknown; parentCompanyId?: unknown },
): Promise<Company> {
  const c = new Checker();
  const name = c.string('name', input.name, { max: 200 });
  const parent =
    input.parentCompanyId === null
      ? undefined
      : c.string('parentCompanyId', input.parentCompanyId, { max: 36, optional: true });
  assertNoErrors(c.errors);
  ownTenant(ctx, input.tenantId);
  requirePermission(ctx.actor, 'companies.manage', deps.catalogue);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    if (parent && !(await repos.companies.findById(input.tenantId, parent))) {
      throw new AppError('validation.invalid', 'Unknown parent company', {
        errors: [{ field: 'parentCompanyId', code: 'company.unknown', message: 'No such company' }],
      });
    }
    const company: Company = {
      id: deps.ids.newId(),
      tenantId: input.tenantId,
      name: (name as string).trim(),
      parentCompanyId: parent ?? null,
      createdAt: now,
    };
    await repos.companies.insert(company);
    await audit(repos, ctx, now, {
      tenantId: input.tenantId,
      action: 'company.created',
      targetType: 'company',
      targetId: company.id,
      details: { name: company.name },
    });
    return company;
  });
}

export async function deleteCompany(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; companyId: string },
): Promise<void> {
  ownTenant(ctx, input.tenantId);
  requirePermission(ctx.actor, 'companies.manage', deps.catalogue);
  await deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    if (!(await repos.companies.delete(input.tenantId, input.companyId))) throw notFound('company');
    await audit(repos, ctx, now, {
      tenantId: input.tenantId,
      action: 'company.deleted',
      targetType: 'company',
      targetId: input.companyId,
    });
  });
}

export async function listFields(deps: AppDeps, ctx: Ctx, tenantId: string): Promise<FieldDefinition[]> {
  ownTenant(ctx, tenantId);
  if (!ctx.actor.permissions.has('users.read')) requirePermission(ctx.actor, 'fields.manage', deps.catalogue);
  return deps.store.read((r) => r.fields.list(tenantId));
}

export async function createField(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; key: unknown; label: unknown; type: unknown; required?: unknown; options?: unknown },
): Promise<FieldDefinition> {
  const c = new Checker();
  const key = c.string('key', input.key, { max: 63 });
  const label = c.string('label', input.label, { max: 200 });
  const type = c.oneOf<FieldType>('type', input.type, FIELD_TYPES);
  const options = c.stringArray('options', input.options, 200) ?? [];
  if (input.required !== undefined && typeof input.required !== 'boolean') c.fail('required', 'type', 'true or false');
  assertNoErrors(c.errors);
  const def = { key: key as string, label: label as string, type: type as FieldType, options };
  assertNoErrors(validateFieldDefinition(def));
  ownTenant(ctx, input.tenantId);
  requirePermission(ctx.actor, 'fields.manage', deps.catalogue);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const field: FieldDefinition = {
      ...def,
      id: deps.ids.newId(),
      tenantId: input.tenantId,
      required: input.required === true,
    };
    await repos.fields.insert(field);
    await audit(repos, ctx, now, {
      tenantId: input.tenantId,
      action: 'field.created',
      targetType: 'field',
      targetId: field.id,
      details: { key: field.key, type: field.type, required: field.required },
    });
    return field;
  });
}

export async function deleteField(
  deps: AppDeps,
  ctx: Ctx,
  input: { tenantId: string; fieldId: string },
): Promise<void> {
  ownTenant(ctx, input.tenantId);
  requirePermission(ctx.actor, 'fields.manage', deps.catalogue);
  await deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    if (!(await repos.fields.delete(input.tenantId, input.fieldId))) throw notFound('field');
    await audit(repos, ctx, now, {
      tenantId: input.tenantId,
      action: 'field.deleted',
      targetType: 'field',
      targetId: input.fieldId,
    });
  });
}
