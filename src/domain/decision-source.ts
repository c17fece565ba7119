import type { UserFacts } from './decision.js';
import type { Role } from './role.js';

/** Where a tenant sits in the tree, as the decision engine needs it. */
export interface TenantPlace {
  parentId: string | null;
  /** Materialised path of ids from the root (see `Tenant.path`). */
  path: string;
}

/**
 * What the decision engine reads from storage. Every committed change that can affect a decision
 * (user state, role assignments, role definitions, shares, tenant status or place) raises
 * `version()`; data read after reading a version is at least as new as that version.
 */
export interface DecisionSource {
  version(): Promise<number>;
  roles(): Promise<Role[]>;
  /** Facts of a user by id, undefined when no such user exists (also for malformed ids). */
  userFacts(userId: string): Promise<UserFacts | undefined>;
  /** A tenant's place, undefined when no such tenant exists (also for malformed ids). */
  tenantPlace(id: string): Promise<TenantPlace | undefined>;
}
