import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { ExistingImportUser, ImportJob, ImportJobStatus, ImportRepo } from '../../domain/import-ports.js';
import type { UserState, UserType } from '../../domain/user.js';
import { UUID_RE } from '../../domain/validation.js';
import type { Database, ImportJobsTable } from '../schema.js';
import { newUserRow } from './users.js';

// 13 parameters per user row: 1,000 rows stay far below PostgreSQL's 65,535 bind limit.
const CHUNK = 1000;

const toJob = (r: Selectable<ImportJobsTable>): ImportJob => ({
  id: r.id,
  tenantId: r.tenant_id,
  status: r.status as ImportJobStatus,
  mode: r.mode as ImportJob['mode'],
  total: r.total,
  processed: r.processed,
  created: r.created,
  updated: r.updated,
  error: r.error,
  report: r.report ?? null,
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Whether the user's current address is verified: a mark counts only for the address it was made
 * for (case-insensitive), exactly as users.verifiedIds counts it; no address, no verification.
 */
function currentAddressVerified(
  tenantId: RawBuilder<unknown>,
  userId: RawBuilder<unknown>,
  email: RawBuilder<unknown>,
): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM user_verified_emails v
    WHERE v.tenant_id = ${tenantId} AND v.user_id = ${userId} AND lower(v.email) = lower(${email}))`;
}

export function importRepo(db: Kysely<Database>): ImportRepo {
  return {
    async existing(tenantId, loginsLower) {
      const out = new Map<string, ExistingImportUser>();
      const verified = currentAddressVerified(sql.ref('users.tenant_id'), sql.ref('users.id'), sql.ref('users.email'));
      for (const part of chunks(loginsLower, 10_000)) {
        const rows = await db
          .selectFrom('users')
          .select([
            'id',
            'type',
            'email',
            sql<string>`lower(login_name)`.as('login'),
            sql<boolean>`password_hash IS NOT NULL`.as('has_password'),
            sql<string | null>`CASE WHEN ${verified} THEN users.email END`.as('verified_email'),
          ])
          .where('tenant_id', '=', tenantId)
          .where(sql<string>`lower(login_name)`, '=', sql<string>`ANY(${part}::text[])`)
          .execute();
        for (const r of rows) {
          out.set(r.login, {
            id: r.id,
            type: r.type as UserType,
            hasPassword: r.has_password,
            email: r.email,
            verifiedEmail: r.verified_email,
          });
        }
      }
      return out;
    },
    async insertUsers(tenantId, users, grantedBy, now) {
      for (const part of chunks(users, CHUNK)) {
        await db
          .insertInto('users')
          .values(part.map((u) => newUserRow({ ...u, tenantId, mustChangePassword: false, now })))
          .execute();
        const roles = part.flatMap((u) =>
          u.roles.map((role_key) => ({
            tenant_id: tenantId,
            user_id: u.id,
            role_key,
            granted_by: grantedBy,
            granted_at: now,
          })),
        );
        for (const r of chunks(roles, CHUNK * 2)) await db.insertInto('user_roles').values(r).execute();
        const companies = part.flatMap((u) =>
          u.companyIds.map((company_id) => ({ tenant_id: tenantId, user_id: u.id, company_id })),
        );
        for (const c of chunks(companies, CHUNK * 3)) await db.insertInto('user_companies').values(c).execute();
        // A bulk twin of users.markEmailVerified: the users are new, so there is no mark to replace.
        const verified = part.flatMap((u) =>
          u.emailVerified && u.email !== null
            ? [{ tenant_id: tenantId, user_id: u.id, email: u.email, verified_at: now }]
            : [],
        );
        if (verified.length > 0) await db.insertInto('user_verified_emails').values(verified).execute();
      }
    },
    async exportPage(tenantId, after, limit, withHashes) {
      let q = db
        .selectFrom('users as u')
        .select([
          'u.login_name',
          'u.email',
          'u.display_name',
          'u.type',
          'u.state',
          'u.custom_fields',
          'u.password_hash',
          sql<string>`lower(u.login_name)`.as('login_lower'),
          sql<boolean>`${currentAddressVerified(sql.ref('u.tenant_id'), sql.ref('u.id'), sql.ref('u.email'))}`.as(
            'email_verified',
          ),
          sql<
            string[]
          >`coalesce((SELECT array_agg(r.role_key ORDER BY r.role_key) FROM user_roles r WHERE r.user_id = u.id), '{}')`.as(
            'roles',
          ),
          sql<
            string[]
          >`coalesce((SELECT array_agg(c.company_id::text) FROM user_companies c WHERE c.user_id = u.id), '{}')`.as(
            'company_ids',
          ),
        ])
        .where('u.tenant_id', '=', tenantId);
      // Login names are unique per tenant regardless of case, so the lower-cased name is a cursor.
      if (after !== null) q = q.where(sql<string>`lower(u.login_name)`, '>', after);
      const rows = await q.orderBy(sql`lower(u.login_name)`).limit(limit).execute();
      return rows.map((r) => ({
        loginName: r.login_name,
        loginLower: r.login_lower,
        email: r.email,
        emailVerified: r.email_verified,
        displayName: r.display_name,
        type: r.type as UserType,
        state: r.state as UserState,
        roles: r.roles,
        companyIds: r.company_ids,
        customFields: r.custom_fields,
        ...(withHashes ? { passwordHash: r.password_hash } : {}),
      }));
    },
    async refreshStatistics() {
      await sql`ANALYZE users, user_roles, user_companies`.execute(db);
    },
    async insertJob(job) {
      await db
        .insertInto('import_jobs')
        .values({
          id: job.id,
          tenant_id: job.tenantId,
          status: job.status,
          mode: job.mode,
          total: job.total,
          processed: job.processed,
          created: job.created,
          updated: job.updated,
          error: job.error,
          report: job.report === null || job.report === undefined ? null : JSON.stringify(job.report),
          created_by: job.createdBy,
          created_at: job.createdAt,
          finished_at: job.finishedAt,
        })
        .execute();
    },
    async finishJob(tenantId, id, patch) {
      await db
        .updateTable('import_jobs')
        .set({
          status: patch.status,
          processed: patch.processed,
          created: patch.created,
          updated: patch.updated,
          error: patch.error,
          report: patch.report === null || patch.report === undefined ? null : JSON.stringify(patch.report),
          finished_at: patch.finishedAt,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async findJob(tenantId, id) {
      if (!UUID_RE.test(id)) return undefined;
      const r = await db
        .selectFrom('import_jobs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toJob(r);
    },
    async failInterrupted(olderThan, now) {
      const r = await db
        .updateTable('import_jobs')
        .set({
          status: 'failed',
          error: 'interrupted: the process stopped; nothing of it was written',
          finished_at: now,
        })
        .where('status', '=', 'running')
        .where('created_at', '<', olderThan)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
