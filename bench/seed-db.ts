import { randomUUID } from 'node:crypto';
import type { Kontor } from '../src/compose.js';
import type { Scenario } from './scenario.js';

const chunks = <T>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/**
 * Writes the scenario straight into the database (bypassing the use cases: this arranges a
 * scene, it is not a path under test). The bench-only app permissions are not in the server's
 * catalogue; the HTTP queries avoid them.
 */
export async function seedDatabase(k: Kontor, s: Scenario): Promise<void> {
  const db = k.db.kysely;
  const now = new Date();
  const kindOf = new Map(s.tenants.map((t) => [t.id, t.kind]));
  const rows = s.tenants.map((t, i) => ({
    id: t.id,
    kind: t.kind,
    parent_id: t.parentId,
    parent_kind: t.parentId ? (kindOf.get(t.parentId) ?? null) : null,
    path: t.path,
    depth: t.path.split('/').length - 3,
    name: `Tenant ${i}`,
    slug: i === 0 ? 'provider' : `t-${i}`,
    status: t.status,
    settings: '{}',
    created_at: now,
    updated_at: now,
  }));
  await db.transaction().execute(async (trx) => {
    for (const c of chunks(rows, 500)) await trx.insertInto('tenants').values(c).execute();
    const users = s.users.map((u, i) => ({
      id: u.userId,
      tenant_id: u.homeTenantId,
      login_name: `user${i}`,
      email: null,
      display_name: `User ${i}`,
      type: 'secondary',
      state: u.state,
      password_hash: null,
      must_change_password: false,
      custom_fields: '{}',
      created_at: now,
      updated_at: now,
    }));
    for (const c of chunks(users, 1000)) await trx.insertInto('users').values(c).execute();
    const grants = s.users.flatMap((u) =>
      u.roleKeys.map((role_key) => ({
        tenant_id: u.homeTenantId,
        user_id: u.userId,
        role_key,
        granted_by: null,
        granted_at: now,
      })),
    );
    for (const c of chunks(grants, 1000)) await trx.insertInto('user_roles').values(c).execute();
    const shares = s.users.flatMap((u) =>
      u.shares.map((sh) => ({
        id: randomUUID(),
        user_id: u.userId,
        home_tenant_id: u.homeTenantId,
        target_tenant_id: sh.targetTenantId,
        status: 'active',
        expires_at: null,
        created_by: u.userId,
        created_at: now,
      })),
    );
    for (const c of chunks(shares, 1000)) await trx.insertInto('shares').values(c).execute();
  });
}
