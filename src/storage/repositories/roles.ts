import type { Kysely } from 'kysely';
import type { RoleRepo } from '../../domain/ports.js';
import type { Role, RoleCategory } from '../../domain/role.js';
import type { Database } from '../schema.js';
import { endOidcGrants } from './oidc-payloads.js';

export function roleRepo(db: Kysely<Database>): RoleRepo {
  return {
    async list() {
      const rows = await db.selectFrom('roles').selectAll().orderBy('key').execute();
      return rows.map(
        (r): Role => ({
          key: r.key,
          name: r.name,
          category: r.category as RoleCategory,
          description: r.description,
          permissions: [...r.permissions].sort(),
        }),
      );
    },
    async upsert(role) {
      const values = {
        key: role.key,
        name: role.name,
        category: role.category,
        description: role.description,
        permissions: role.permissions,
        updated_at: new Date(),
      };
      await db
        .insertInto('roles')
        .values(values)
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute();
    },
    async delete(key) {
      await db.deleteFrom('roles').where('key', '=', key).execute();
    },
    async userRoles(tenantId, userId) {
      const rows = await db
        .selectFrom('user_roles')
        .select('role_key')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('role_key')
        .execute();
      return rows.map((r) => r.role_key);
    },
    async rolesOfUsers(userIds) {
      const out = new Map<string, string[]>();
      if (userIds.length === 0) return out;
      // A user's roles live in its home tenant only, so the user id alone selects them.
      const rows = await db
        .selectFrom('user_roles')
        .select(['user_id', 'role_key'])
        .where('user_id', 'in', userIds)
        .orderBy('user_id')
        .orderBy('role_key')
        .execute();
      for (const r of rows) {
        const keys = out.get(r.user_id);
        if (keys) keys.push(r.role_key);
        else out.set(r.user_id, [r.role_key]);
      }
      return out;
    },
    async setUserRoles(tenantId, userId, keys, grantedBy, now) {
      const before = await db
        .deleteFrom('user_roles')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .returning('role_key')
        .execute();
      // A removed role ends the apps' tokens of the user (claims name the roles); a new sign-in
      // (silent while the Kontor session lives) gets tokens that say what holds now.
      const kept = new Set(keys);
      if (before.some((r) => !kept.has(r.role_key))) {
        await endOidcGrants(db, { accountId: userId, tokensOnly: true }, now);
      }
      if (keys.length > 0) {
        await db
          .insertInto('user_roles')
          .values(
            keys.map((role_key) => ({
              tenant_id: tenantId,
              user_id: userId,
              role_key,
              granted_by: grantedBy,
              granted_at: now,
            })),
          )
          .execute();
      }
    },
    async assignments(key) {
      const r = await db
        .selectFrom('user_roles')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('role_key', '=', key)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
