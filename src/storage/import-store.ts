import type { Kysely } from 'kysely';
import type { ImportStore } from '../domain/import-ports.js';
import { importRepo } from './repositories/imports.js';
import type { Database } from './schema.js';
import { reposFor, unitOfWork } from './store.js';

/** The domain repositories plus bulk import access, joined in one transaction. */
export const importStore = (db: Kysely<Database>): ImportStore =>
  unitOfWork(db, (h) => ({ ...reposFor(h), imports: importRepo(h) }));
