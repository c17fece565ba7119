import type { Kysely } from 'kysely';
import type { ScimStore } from '../domain/scim.js';
import { scimRepo } from './repositories/scim-links.js';
import type { Database } from './schema.js';
import { reposFor, unitOfWork } from './store.js';

/** Domain and SCIM repositories over one Kysely handle, joined in one transaction. */
export const scimStore = (db: Kysely<Database>): ScimStore =>
  unitOfWork(db, (h) => ({ ...reposFor(h), scim: scimRepo(h) }));
