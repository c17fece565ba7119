import type { Kysely } from 'kysely';
import type { Repos, Store, UnitOfWork } from '../domain/ports.js';
import { auditRepo } from './repositories/audit.js';
import { companyRepo, fieldRepo } from './repositories/companies.js';
import { roleRepo } from './repositories/roles.js';
import { shareRepo } from './repositories/shares.js';
import { tenantRepo } from './repositories/tenants.js';
import { userRepo } from './repositories/users.js';
import type { Database } from './schema.js';
import { mapSqlError } from './sql-errors.js';

export function reposFor(db: Kysely<Database>): Repos {
  return {
    tenants: tenantRepo(db),
    users: userRepo(db),
    roles: roleRepo(db),
    shares: shareRepo(db),
    companies: companyRepo(db),
    fields: fieldRepo(db),
    audit: auditRepo(db),
  };
}

/**
 * The Kysely unit of work: `build` binds a set of repositories to a handle, the transaction's
 * inside `transaction`. SQL errors leave as AppError (constraint races become conflicts).
 */
export function unitOfWork<R>(db: Kysely<Database>, build: (db: Kysely<Database>) => R): UnitOfWork<R> {
  return {
    async transaction(fn) {
      try {
        return await db.transaction().execute((trx) => fn(build(trx)));
      } catch (e) {
        throw mapSqlError(e);
      }
    },
    async read(fn) {
      try {
        return await fn(build(db));
      } catch (e) {
        throw mapSqlError(e);
      }
    },
  };
}

export const kyselyStore = (db: Kysely<Database>): Store => unitOfWork(db, reposFor);
