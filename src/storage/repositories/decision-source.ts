import type { Kysely } from 'kysely';
import type { UserFacts } from '../../domain/decision.js';
import type { DecisionSource } from '../../domain/decision-source.js';
import type { ShareStatus } from '../../domain/share.js';
import type { TenantKind, TenantStatus } from '../../domain/tenant.js';
import type { UserState } from '../../domain/user.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database } from '../schema.js';
import { storageCall } from '../store.js';
import { roleRepo } from './roles.js';

/**
 * The decision engine's reads. Not tenant-scoped like the other repositories on purpose: the
 * engine answers for any user; the caller's scope is checked in the app layer before it asks.
 * Each read retries transient faults like a unit of work and fails as `storage.unavailable`.
 */
export function decisionSource(db: Kysely<Database>): DecisionSource {
  return {
    version: () => storageCall(db, (h) => sourceOn(h).version()),
    roles: () => storageCall(db, (h) => sourceOn(h).roles()),
    userFacts: (userId) => storageCall(db, (h) => sourceOn(h).userFacts(userId)),
    tenantPlace: (id) => storageCall(db, (h) => sourceOn(h).tenantPlace(id)),
  };
}

function sourceOn(db: Kysely<Database>): DecisionSource {
  const roles = roleRepo(db);
  return {
    async version() {
      const row = await db.selectFrom('decision_version').select('version').where('id', '=', 1).executeTakeFirst();
      return Number(row?.version ?? 0);
    },
    roles: () => roles.list(),
    async userFacts(userId): Promise<UserFacts | undefined> {
      // A malformed id would make PostgreSQL raise on the uuid cast: it is simply unknown.
      if (!UUID.test(userId)) return undefined;
      const user = await db
        .selectFrom('users as u')
        .innerJoin('tenants as t', 't.id', 'u.tenant_id')
        .select(['u.id', 'u.tenant_id', 'u.state', 't.kind', 't.status'])
        .where('u.id', '=', userId)
        .executeTakeFirst();
      if (!user) return undefined;
      const [roleRows, shareRows] = await Promise.all([
        db
          .selectFrom('user_roles')
          .select('role_key')
          .where('tenant_id', '=', user.tenant_id)
          .where('user_id', '=', userId)
          .execute(),
        db
          .selectFrom('shares as s')
          .innerJoin('tenants as t', 't.id', 's.target_tenant_id')
          .select(['s.target_tenant_id', 's.status', 's.expires_at', 's.accepted_roles', 't.status as target_status'])
          .where('s.user_id', '=', userId)
          .where('s.status', '=', 'active')
          .execute(),
      ]);
      return {
        userId: user.id,
        homeTenantId: user.tenant_id,
        state: user.state as UserState,
        homeKind: user.kind as TenantKind,
        homeStatus: user.status as TenantStatus,
        roleKeys: roleRows.map((r) => r.role_key),
        shares: shareRows.map((s) => ({
          targetTenantId: s.target_tenant_id,
          targetStatus: s.target_status as TenantStatus,
          status: s.status as ShareStatus,
          expiresAt: s.expires_at,
          acceptedRoles: s.accepted_roles ? [...s.accepted_roles] : null,
        })),
      };
    },
    async tenantPlace(id) {
      if (!UUID.test(id)) return undefined;
      const row = await db.selectFrom('tenants').select(['parent_id', 'path']).where('id', '=', id).executeTakeFirst();
      return row ? { parentId: row.parent_id, path: row.path } : undefined;
    },
  };
}
