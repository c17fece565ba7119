import type { Kysely } from 'kysely';
import type { SsoStore } from '../domain/sso.js';
import { authReposFor } from './auth-store.js';
import { ssoConnectionRepo } from './repositories/sso-connections.js';
import { ssoLinkRepo } from './repositories/sso-links.js';
import type { Database } from './schema.js';
import { unitOfWork } from './store.js';

/** Domain, auth and SSO repositories over one Kysely handle, joined in one transaction. */
export const ssoStore = (db: Kysely<Database>): SsoStore =>
  unitOfWork(db, (h) => ({ ...authReposFor(h), sso: { ...ssoConnectionRepo(h), ...ssoLinkRepo(h) } }));
