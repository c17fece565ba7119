import { type Kysely, sql } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { ScimMember, ScimRepo, ScimResourceType } from '../../domain/scim.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database } from '../schema.js';

// One table per resource type, so each row cascades with its user or company.
const TABLES = {
  User: { table: 'scim_user_external_ids', column: 'user_id' },
  Group: { table: 'scim_group_external_ids', column: 'company_id' },
} as const;

const isUniqueViolation = (e: unknown, constraint: string): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: unknown }).code === '23505' &&
  (e as { constraint?: unknown }).constraint === constraint;

export function scimRepo(db: Kysely<Database>): ScimRepo {
  return {
    async externalIds(tenantId, type: ScimResourceType, ids) {
      const valid = ids.filter((id) => UUID.test(id));
      if (valid.length === 0) return new Map();
      const { table, column } = TABLES[type];
      const rows = await db
        .selectFrom(table)
        .select([sql<string>`${sql.ref(column)}::text`.as('id'), 'external_id'])
        .where('tenant_id', '=', tenantId)
        .where(sql.ref(column), 'in', valid)
        .execute();
      return new Map(rows.map((r) => [r.id, r.external_id]));
    },
    async setExternalId(tenantId, type, id, externalId) {
      const { table, column } = TABLES[type];
      if (externalId === null) {
        await db.deleteFrom(table).where('tenant_id', '=', tenantId).where(sql.ref(column), '=', id).execute();
        return;
      }
      try {
        await db
          .insertInto(table)
          .values({ tenant_id: tenantId, [column]: id, external_id: externalId } as never)
          .onConflict((oc) => oc.columns(['tenant_id', column] as never).doUpdateSet({ external_id: externalId }))
          .execute();
      } catch (e) {
        // The constraint decides (no lookup first), and the client learns which value is taken.
        if (!isUniqueViolation(e, `${table}_unique`)) throw e;
        const what = type === 'User' ? 'user' : 'group';
        throw new AppError(
          'resource.conflict',
          `The externalId ${JSON.stringify(externalId)} belongs to another ${what} of this tenant`,
          {
            cause: e,
            details: { scimType: 'uniqueness' },
          },
        );
      }
    },
    async groupsChangedAt(tenantId, companyIds) {
      const valid = companyIds.filter((id) => UUID.test(id));
      if (valid.length === 0) return new Map();
      const rows = await db
        .selectFrom('audit_events')
        .select(['target_id', (eb) => eb.fn.max('at').as('at')])
        .where('tenant_id', '=', tenantId)
        .where('target_type', '=', 'company')
        .where('target_id', 'in', valid)
        .groupBy('target_id')
        .execute();
      return new Map(rows.map((r) => [r.target_id as string, new Date(r.at as unknown as string | Date)]));
    },
    async findByExternalId(tenantId, type, externalId) {
      const { table, column } = TABLES[type];
      const r = await db
        .selectFrom(table)
        .select(sql<string>`${sql.ref(column)}::text`.as('id'))
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return r?.id;
    },
    async userIdsByEmail(tenantId, email) {
      const rows = await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where(sql<string>`lower(email)`, '=', email.toLowerCase())
        .orderBy('created_at')
        .orderBy('id')
        .limit(200)
        .execute();
      return rows.map((r) => r.id);
    },
    async userIds(tenantId, offset, limit) {
      const total = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      const rows =
        limit === 0
          ? []
          : await db
              .selectFrom('users')
              .select('id')
              .where('tenant_id', '=', tenantId)
              .orderBy('created_at')
              .orderBy('id')
              .offset(offset)
              .limit(limit)
              .execute();
      return { total: Number(total.n), ids: rows.map((r) => r.id) };
    },
    async lockUser(tenantId, userId) {
      if (!UUID.test(userId)) return false;
      const r = await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .forUpdate()
        .executeTakeFirst();
      return r !== undefined;
    },
    async renameLogin(tenantId, userId, loginName, now) {
      await db
        .updateTable('users')
        .set({ login_name: loginName, version: sql`version + 1`, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', userId)
        .execute();
    },
    async members(tenantId, companyIds) {
      const valid = companyIds.filter((id) => UUID.test(id));
      const out = new Map<string, ScimMember[]>();
      if (valid.length === 0) return out;
      const rows = await db
        .selectFrom('user_companies')
        .innerJoin('users', (j) =>
          j.onRef('users.id', '=', 'user_companies.user_id').onRef('users.tenant_id', '=', 'user_companies.tenant_id'),
        )
        .select(['user_companies.company_id', 'users.id', 'users.login_name'])
        .where('user_companies.tenant_id', '=', tenantId)
        .where('user_companies.company_id', 'in', valid)
        .orderBy('users.login_name')
        .execute();
      for (const r of rows) {
        const list = out.get(r.company_id) ?? [];
        list.push({ userId: r.id, loginName: r.login_name });
        out.set(r.company_id, list);
      }
      return out;
    },
  };
}
