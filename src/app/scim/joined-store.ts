import type { Repos, UnitOfWork } from '../../domain/ports.js';
import type { AppDeps } from '../context.js';

/**
 * Deps whose store runs everything on the caller's open transaction: a nested use case
 * (createUser, updateUser, setUserState, …) joins it instead of opening its own. SCIM writes a
 * user and its externalId, or a company and its members, as one unit: all or nothing.
 */
export function joinedDeps(deps: AppDeps, repos: Repos): AppDeps {
  const joined: UnitOfWork<Repos> = {
    transaction: (fn) => fn(repos),
    read: (fn) => fn(repos),
  };
  return { ...deps, store: joined };
}
