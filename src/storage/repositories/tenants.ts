import { type Kysely, type Selectable, sql } from 'kysely';
import { AppError, notFound } from '../../domain/errors.js';
import type { TenantRepo } from '../../domain/ports.js';
import { childPath, type Tenant, type TenantKind, type TenantStatus } from '../../domain/tenant.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database, TenantsTable } from '../schema.js';
import { endOidcGrantsOfTenant } from './oidc-payloads.js';

const toTenant = (r: Selectable<TenantsTable>): Tenant => ({
  id: r.id,
  kind: r.kind as TenantKind,
  parentId: r.parent_id,
  path: r.path,
  depth: r.depth,
  name: r.name,
  slug: r.slug,
  status: r.status as TenantStatus,
  settings: r.settings,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function tenantRepo(db: Kysely<Database>): TenantRepo {
  const base = () => db.selectFrom('tenants').selectAll();
  return {
    async findById(id) {
      // A malformed id is simply not found, like any other id that does not exist.
      if (!UUID.test(id)) return undefined;
      const r = await base().where('id', '=', id).executeTakeFirst();
      return r && toTenant(r);
    },
    async findBySlug(slug) {
      const r = await base().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
      return r && toTenant(r);
    },
    async findRoot() {
      const r = await base().where('kind', '=', 'provider').executeTakeFirst();
      return r && toTenant(r);
    },
    async insert(t) {
      const parentKind = t.parentId
        ? (await db.selectFrom('tenants').select('kind').where('id', '=', t.parentId).executeTakeFirst())?.kind
        : null;
      await db
        .insertInto('tenants')
        .values({
          id: t.id,
          kind: t.kind,
          parent_id: t.parentId,
          parent_kind: parentKind ?? null,
          path: t.path,
          depth: t.depth,
          name: t.name,
          slug: t.slug,
          status: t.status,
          settings: JSON.stringify(t.settings),
          created_at: t.createdAt,
          updated_at: t.updatedAt,
        })
        .execute();
    },
    async update(id, patch, expectedVersion) {
      let q = db
        .updateTable('tenants')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
          version: sql`version + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', id);
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
      const r = await q.returningAll().executeTakeFirst();
      // Suspended: the apps' grants for it and of its users end with Kontor's sessions.
      if (r && patch.status !== undefined && patch.status !== 'active') await endOidcGrantsOfTenant(db, id, new Date());
      if (r) return toTenant(r);
      const exists = await base().where('id', '=', id).executeTakeFirst();
      if (!exists) throw notFound('tenant');
      throw new AppError('resource.stale');
    },
    async move(tenant, newParent) {
      const newPath = childPath(newParent.path, tenant.id);
      const depthDelta = newParent.depth + 1 - tenant.depth;
      // One statement rewrites the path prefix of the whole subtree, so readers never see a
      // half-moved tree.
      await db
        .updateTable('tenants')
        .set({
          path: sql`${newPath} || substr(path, ${tenant.path.length + 1})`,
          depth: sql`depth + ${depthDelta}`,
          version: sql`version + 1`,
        })
        .where(sql<boolean>`starts_with(path, ${tenant.path})`)
        .execute();
      await db
        .updateTable('tenants')
        .set({ parent_id: newParent.id, parent_kind: newParent.kind, updated_at: new Date() })
        .where('id', '=', tenant.id)
        .execute();
    },
    async children(parentId) {
      const rows = await base().where('parent_id', '=', parentId).orderBy('name').orderBy('id').execute();
      return rows.map(toTenant);
    },
    async subtree(path) {
      const rows = await base()
        .where('path', 'like', `${path.replace(/[\\%_]/g, '\\$&')}%`)
        .orderBy('depth')
        .orderBy('name')
        .execute();
      return rows.map(toTenant);
    },
    async subtreePage(path, { limit, after }) {
      // Path order is a depth-first walk; the `tenants_tree` index (COLLATE "C") serves both the
      // prefix match and the order, so a page at the root of 100,000 tenants reads one page.
      let q = base()
        .where(sql<boolean>`path COLLATE "C" LIKE ${`${path.replace(/[\\%_]/g, '\\$&')}%`}`)
        .where(sql<boolean>`path COLLATE "C" > ${after ?? path}`);
      q = q.orderBy(sql`path COLLATE "C"`).limit(limit);
      return (await q.execute()).map(toTenant);
    },
    async countChildren(id) {
      const r = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('parent_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async delete(id) {
      // Users hold no cascade on purpose: only this explicit removal of a leaf takes them.
      await db.deleteFrom('users').where('tenant_id', '=', id).execute();
      await db.deleteFrom('tenants').where('id', '=', id).execute();
    },
    async count() {
      const r = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
