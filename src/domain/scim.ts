import type { Repos, UnitOfWork } from './ports.js';

/** SCIM resources Kontor serves: users, and the tenant's companies as groups. */
export type ScimResourceType = 'User' | 'Group';

/** A member of a SCIM group: a user limited to that company. */
export interface ScimMember {
  userId: string;
  loginName: string;
}

/**
 * What SCIM provisioning stores beyond the domain: the client's `externalId` per resource (Entra
 * sends its objectId there and matches on it), offset paging and company memberships.
 */
export interface ScimRepo {
  /** External ids of the given resources that have one, by resource id. */
  externalIds(tenantId: string, type: ScimResourceType, ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Sets or (with null) clears the external id of a resource. Unique per tenant and type: a
   * second resource with the same external id is a `resource.conflict` (scimType uniqueness)
   * that names the taken value, decided by the unique constraint, never by a prior lookup.
   */
  setExternalId(tenantId: string, type: ScimResourceType, id: string, externalId: string | null): Promise<void>;
  /** The resource id that carries the external id, if any. */
  findByExternalId(tenantId: string, type: ScimResourceType, externalId: string): Promise<string | undefined>;
  /** Ids of the tenant's own users with this address (case-insensitive). */
  userIdsByEmail(tenantId: string, email: string): Promise<string[]>;
  /** Ids of the tenant's own users in a stable order (creation, then id), and their total. */
  userIds(tenantId: string, offset: number, limit: number): Promise<{ total: number; ids: string[] }>;
  /**
   * Locks an own user's row until the transaction ends (`SELECT … FOR UPDATE`), so concurrent
   * SCIM changes of one user (Entra adds a user to several groups at once) run one after the
   * other on fresh data instead of failing or losing one. Returns false if there is no such user.
   */
  lockUser(tenantId: string, userId: string): Promise<boolean>;
  /**
   * Renames an own user's login (Entra changes a userPrincipalName). A taken name is a
   * `user.login_taken` conflict by the unique index; the version is raised.
   */
  renameLogin(tenantId: string, userId: string, loginName: string, now: Date): Promise<void>;
  /**
   * When each company last changed, as far as the activity log tells: the newest event about it
   * (renamed, external id set, SCIM member changes), by company id; companies without one are absent.
   */
  groupsChangedAt(tenantId: string, companyIds: readonly string[]): Promise<Map<string, Date>>;
  /** Members of each company, by company id (companies without members are absent). */
  members(tenantId: string, companyIds: readonly string[]): Promise<Map<string, ScimMember[]>>;
}

export interface ScimRepos extends Repos {
  scim: ScimRepo;
}

/** The unit of work of SCIM use cases: domain and SCIM repositories in one transaction. */
export type ScimStore = UnitOfWork<ScimRepos>;
