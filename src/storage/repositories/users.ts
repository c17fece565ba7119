import { type ExpressionBuilder, type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { AppError, notFound } from '../../domain/errors.js';
import type { NewUser, UserRelation, UserRepo } from '../../domain/ports.js';
import type { RoleCategory } from '../../domain/role.js';
import type { TenantKind, TenantStatus } from '../../domain/tenant.js';
import type { User, UserState, UserType } from '../../domain/user.js';
import { UUID_RE as UUID } from '../../domain/validation.js';
import type { Database, UsersTable } from '../schema.js';
import { endOidcGrants } from './oidc-payloads.js';

/**
 * Revokes every session (but `keepSessionHash`) and every API token of a user in the caller's
 * transaction. The revocations bump the principal version (migration 007), so every instance's
 * principal cache drops the user's entries on the next request.
 */
async function endCredentials(db: Kysely<Database>, userId: string, now: Date, keepSessionHash?: string) {
  let s = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepSessionHash) s = s.where('id_hash', '<>', keepSessionHash);
  await s.execute();
  await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  // The apps' grants, refresh tokens and OP sessions end too; apps hear it by back-channel.
  await endOidcGrants(db, { accountId: userId }, now);
}

type Row = Selectable<UsersTable> & { company_ids: string[] | null };

const toUser = (r: Row): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  loginName: r.login_name,
  email: r.email,
  displayName: r.display_name,
  type: r.type as UserType,
  state: r.state as UserState,
  hasPassword: r.password_hash !== null,
  mustChangePassword: r.must_change_password,
  customFields: r.custom_fields,
  companyIds: r.company_ids ?? [],
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const companyIds = (eb: ExpressionBuilder<Database, 'users'>) =>
  eb
    .selectFrom('user_companies')
    .select(sql<string[]>`coalesce(array_agg(company_id::text ORDER BY company_id), '{}')`.as('ids'))
    .whereRef('user_companies.user_id', '=', 'users.id')
    .as('company_ids');

const encodeCursor = (login: string, id: string) => Buffer.from(JSON.stringify([login, id])).toString('base64url');

function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // fall through to the uniform error
  }
  throw new AppError('validation.invalid', 'Invalid cursor', {
    errors: [{ field: 'cursor', code: 'cursor.invalid', message: 'Invalid cursor' }],
  });
}

/** A new user as a row: the single-user insert and the bulk import write the same shape. */
export const newUserRow = (u: NewUser): Insertable<UsersTable> => ({
  id: u.id,
  tenant_id: u.tenantId,
  login_name: u.loginName,
  email: u.email,
  display_name: u.displayName,
  type: u.type,
  state: u.state,
  password_hash: u.passwordHash,
  must_change_password: u.mustChangePassword,
  custom_fields: JSON.stringify(u.customFields),
  created_at: u.now,
  updated_at: u.now,
});

/**
 * The one writer of verified addresses (sign-up confirmation, links, attestation, SSO tests);
 * only an import's bulk insert of new users writes them besides (repositories/imports.ts).
 */
export async function upsertVerifiedEmail(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  email: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('user_verified_emails')
    .values({ tenant_id: tenantId, user_id: userId, email, verified_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ email, verified_at: now }))
    .execute();
}

/**
 * A changed address is unverified (issue 14 #6): the mark goes unless it is for the new address,
 * and pending verification links die, since confirming one verifies the current address. The
 * links die on every change, not only when a mark went: a link sent to an address that was never
 * confirmed would otherwise verify the next one.
 */
async function forgetVerification(
  db: Kysely<Database>,
  tenantId: string,
  userId: string,
  before: string | null,
  email: string | null,
  now: Date,
) {
  if ((before ?? '').toLowerCase() === (email ?? '').toLowerCase()) return;
  let q = db.deleteFrom('user_verified_emails').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
  if (email !== null) q = q.where(sql<string>`lower(email)`, '<>', email.toLowerCase());
  await q.execute();
  await db
    .updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', 'email_verify')
    .where('used_at', 'is', null)
    .execute();
}

export function userRepo(db: Kysely<Database>): UserRepo {
  const base = () => db.selectFrom('users').selectAll('users').select(companyIds);
  const effectiveShare = (tenantId: string, now: Date) =>
    db
      .selectFrom('shares')
      .select('shares.user_id')
      .where('shares.target_tenant_id', '=', tenantId)
      .where('shares.status', '=', 'active')
      .where((eb) => eb.or([eb('shares.expires_at', 'is', null), eb('shares.expires_at', '>', now)]));

  return {
    async findInTenant(tenantId, id) {
      if (!UUID.test(id)) return undefined;
      const r = await base().where('users.tenant_id', '=', tenantId).where('users.id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async findVisible(tenantId, id, now) {
      if (!UUID.test(id)) return undefined;
      const r = await base()
        .select((eb) =>
          eb
            .case()
            .when('users.tenant_id', '=', tenantId)
            .then('own')
            .when('users.id', 'in', effectiveShare(tenantId, now))
            .then('shared')
            .else('customer_primary')
            .end()
            .as('relation'),
        )
        .where('users.id', '=', id)
        .where((eb) =>
          eb.or([
            eb('users.tenant_id', '=', tenantId),
            eb('users.id', 'in', effectiveShare(tenantId, now)),
            eb.and([
              eb('users.type', '=', 'primary'),
              eb('users.tenant_id', 'in', eb.selectFrom('tenants').select('id').where('parent_id', '=', tenantId)),
            ]),
          ]),
        )
        .executeTakeFirst();
      return r && { user: toUser(r), relation: r.relation as UserRelation };
    },
    markEmailVerified: (tenantId, userId, email, now) => upsertVerifiedEmail(db, tenantId, userId, email, now),
    async verifiedIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('user_verified_emails as v')
        .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'v.tenant_id').onRef('u.id', '=', 'v.user_id'))
        .select('v.user_id')
        .where('v.user_id', 'in', ids)
        .where(sql<boolean>`lower(v.email) = lower(u.email)`)
        .execute();
      return new Set(rows.map((r) => r.user_id));
    },
    async actorFacts(homeTenantId, userId, actingTenantId, now) {
      if (!UUID.test(userId) || !UUID.test(homeTenantId) || !UUID.test(actingTenantId)) return undefined;
      const r = await sql<{
        state: string;
        must_change_password: boolean;
        home_status: string;
        home_kind: string;
        acting_status: string | null;
        shared: boolean;
        share_forever: boolean | null;
        share_until: Date | string | null;
        accepted: (string[] | null)[] | null;
        roles: { key: string; name: string; category: string; description: string; permissions: string[] }[];
      }>`
        SELECT u.state, u.must_change_password, h.status AS home_status, h.kind AS home_kind,
          a.status AS acting_status, sh.shared, sh.share_forever, sh.share_until, sh.accepted,
          COALESCE((SELECT json_agg(json_build_object('key', r.key, 'name', r.name, 'category', r.category,
              'description', r.description, 'permissions', r.permissions) ORDER BY r.key)
            FROM user_roles ur JOIN roles r ON r.key = ur.role_key
            WHERE ur.user_id = u.id AND ur.tenant_id = u.tenant_id), '[]'::json) AS roles
        FROM users u
        JOIN tenants h ON h.id = u.tenant_id
        LEFT JOIN tenants a ON a.id = ${actingTenantId}
        CROSS JOIN LATERAL (SELECT count(*) > 0 AS shared, bool_or(s.expires_at IS NULL) AS share_forever,
            max(s.expires_at) AS share_until,
            json_agg(s.accepted_roles) AS accepted
          FROM shares s WHERE s.user_id = u.id AND s.target_tenant_id = ${actingTenantId}
            AND s.status = 'active' AND (s.expires_at IS NULL OR s.expires_at > ${now})) sh
        WHERE u.tenant_id = ${homeTenantId} AND u.id = ${userId}`.execute(db);
      const row = r.rows[0];
      if (!row) return undefined;
      return {
        state: row.state as UserState,
        mustChangePassword: row.must_change_password,
        homeStatus: row.home_status as TenantStatus,
        homeKind: row.home_kind as TenantKind,
        actingStatus: (row.acting_status as TenantStatus | null) ?? null,
        sharedIntoActing: row.shared,
        shareUntil: row.shared && !row.share_forever && row.share_until !== null ? new Date(row.share_until) : null,
        acceptedRoles: row.accepted ?? [],
        roles: row.roles.map((x) => ({ ...x, category: x.category as RoleCategory, permissions: [...x.permissions] })),
      };
    },
    async lockForUpdate(tenantId, id) {
      if (!UUID.test(id)) return undefined;
      const locked = await db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return locked && this.findInTenant(tenantId, id);
    },
    async findByLogin(tenantId, loginName) {
      const r = await base()
        .where('users.tenant_id', '=', tenantId)
        .where(sql<string>`lower(login_name)`, '=', loginName.toLowerCase())
        .executeTakeFirst();
      return r && toUser(r);
    },
    async findPrimary(tenantId) {
      const r = await base()
        .where('users.tenant_id', '=', tenantId)
        .where('users.type', '=', 'primary')
        .executeTakeFirst();
      return r && toUser(r);
    },
    async insert(u) {
      await db.insertInto('users').values(newUserRow(u)).execute();
      const created = await this.findInTenant(u.tenantId, u.id);
      if (!created) throw new Error('inserted user not found');
      return created;
    },
    async update(tenantId, id, patch, now, expectedVersion) {
      const before =
        patch.email === undefined
          ? undefined
          : await db
              .selectFrom('users')
              .select('email')
              .where('tenant_id', '=', tenantId)
              .where('id', '=', id)
              .executeTakeFirst();
      let q = db
        .updateTable('users')
        .set({
          ...(patch.email !== undefined ? { email: patch.email } : {}),
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.state !== undefined ? { state: patch.state } : {}),
          ...(patch.customFields !== undefined ? { custom_fields: JSON.stringify(patch.customFields) } : {}),
          version: sql`version + 1`,
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
      const r = await q.returning('id').executeTakeFirst();
      if (!r) {
        if (await this.findInTenant(tenantId, id)) throw new AppError('resource.stale');
        throw notFound('user');
      }
      // A lock or disable ends every credential, so an unlock does not bring old ones back.
      if (patch.state !== undefined && patch.state !== 'active') await endCredentials(db, id, now);
      if (patch.email !== undefined)
        await forgetVerification(db, tenantId, id, before?.email ?? null, patch.email, now);
      return (await this.findInTenant(tenantId, id)) as User;
    },
    async setPassword(tenantId, id, hash, mustChange, now, keepSessionHash) {
      const r = await db
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: mustChange, version: sql`version + 1`, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      // Whoever knew the old password may have opened sessions or minted tokens with it.
      if (r) await endCredentials(db, id, now, keepSessionHash);
    },
    async passwordHash(tenantId, id) {
      const r = await db
        .selectFrom('users')
        .select('password_hash')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r?.password_hash;
    },
    async delete(tenantId, id) {
      await endOidcGrants(db, { accountId: id }, new Date());
      await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async list(tenantId, query, now) {
      // Own users and imported shares are read apart, each in index order with its own limit,
      // and merged here: one query with an OR between them would sort the whole tenant (100,000
      // users) for every page.
      const filtered = <Q extends ReturnType<typeof base>>(q: Q): Q => {
        let f = q;
        if (query.state) f = f.where('users.state', '=', query.state) as Q;
        if (query.q) {
          const like = `%${query.q.replace(/[\\%_]/g, '\\$&')}%`;
          f = f.where((eb) =>
            eb.or([
              eb('users.login_name', 'ilike', like),
              eb('users.email', 'ilike', like),
              eb('users.display_name', 'ilike', like),
            ]),
          ) as Q;
        }
        if (query.cursor) {
          const [login, id] = decodeCursor(query.cursor);
          f = f.where(sql<boolean>`(lower(users.login_name) COLLATE "C", users.id) > (${login}, ${id}::uuid)`) as Q;
        }
        return f
          .orderBy(sql`lower(users.login_name) COLLATE "C"`)
          .orderBy('users.id')
          .limit(query.limit + 1) as Q;
      };
      const [own, shared] = await Promise.all([
        filtered(base().where('users.tenant_id', '=', tenantId)).execute(),
        filtered(base().where('users.id', 'in', effectiveShare(tenantId, now))).execute(),
      ]);
      // Byte order of the UTF-8 text: COLLATE "C", whatever the database's collation.
      const cmp = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
      const rows = [
        ...own.map((r) => ({ r, relation: 'own' as UserRelation })),
        ...shared.filter((r) => r.tenant_id !== tenantId).map((r) => ({ r, relation: 'shared' as UserRelation })),
      ].sort((a, b) => cmp(a.r.login_name.toLowerCase(), b.r.login_name.toLowerCase()) || cmp(a.r.id, b.r.id));
      const items = rows.slice(0, query.limit).map(({ r, relation }) => ({ ...toUser(r), relation }));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.loginName.toLowerCase(), last.id) : null,
      };
    },
    async countInTenant(tenantId) {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async setCompanies(tenantId, userId, ids) {
      await db.deleteFrom('user_companies').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
      if (ids.length > 0) {
        await db
          .insertInto('user_companies')
          .values(ids.map((company_id) => ({ tenant_id: tenantId, user_id: userId, company_id })))
          .execute();
      }
    },
  };
}
