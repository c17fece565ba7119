import type { Kysely } from 'kysely';
import type { Repos, Store } from '../domain/ports.js';
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

/** The Kysely implementation of the domain's unit of work. */
export function kyselyStore(db: Kysely<Database>): Store {
  return {
    async transaction(fn) {
      try {
        return await db.transaction().execute((trx) => fn(reposFor(trx)));
      } catch (e) {
        throw mapSqlError(e);
      }
    },
    async read(fn) {
      try {
        return await fn(reposFor(db));
      } catch (e) {
        throw mapSqlError(e);
      }
    },
  };
}
