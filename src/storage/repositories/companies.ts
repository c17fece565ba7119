import type { Kysely, Selectable } from 'kysely';
import type { Company } from '../../domain/company.js';
import type { FieldDefinition, FieldType } from '../../domain/custom-fields.js';
import type { CompanyRepo, FieldRepo } from '../../domain/ports.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { CompaniesTable, Database } from '../schema.js';

const toCompany = (r: Selectable<CompaniesTable>): Company => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  parentCompanyId: r.parent_company_id,
  createdAt: r.created_at,
});

export function companyRepo(db: Kysely<Database>): CompanyRepo {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('companies')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute();
      return rows.map(toCompany);
    },
    async findById(tenantId, id) {
      if (!UUID.test(id)) return undefined;
      const r = await db
        .selectFrom('companies')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toCompany(r);
    },
    async insert(c) {
      await db
        .insertInto('companies')
        .values({
          id: c.id,
          tenant_id: c.tenantId,
          name: c.name,
          parent_company_id: c.parentCompanyId,
          created_at: c.createdAt,
        })
        .execute();
    },
    async rename(tenantId, id, name) {
      if (!UUID.test(id)) return undefined;
      const r = await db
        .updateTable('companies')
        .set({ name })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r && toCompany(r);
    },
    async delete(tenantId, id) {
      if (!UUID.test(id)) return false;
      const r = await db
        .deleteFrom('companies')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function fieldRepo(db: Kysely<Database>): FieldRepo {
  return {
    async list(tenantId) {
      const rows = await db
        .selectFrom('field_definitions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('key')
        .execute();
      return rows.map(
        (r): FieldDefinition => ({
          id: r.id,
          tenantId: r.tenant_id,
          key: r.key,
          label: r.label,
          type: r.type as FieldType,
          required: r.required,
          options: r.options,
        }),
      );
    },
    async insert(d) {
      await db
        .insertInto('field_definitions')
        .values({
          id: d.id,
          tenant_id: d.tenantId,
          key: d.key,
          label: d.label,
          type: d.type,
          required: d.required,
          options: JSON.stringify(d.options),
        })
        .execute();
    },
    async delete(tenantId, id) {
      if (!UUID.test(id)) return false;
      const r = await db
        .deleteFrom('field_definitions')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
