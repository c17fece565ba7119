import type { AppRepo } from './apps.js';
import type { AuditEvent, AuditInput } from './audit.js';
import type { Company } from './company.js';
import type { FieldDefinition } from './custom-fields.js';
import type { SecurityPolicyRepo } from './mfa.js';
import type { OidcKeyRepo, OidcPayloadRepo } from './oidc.js';
import type { Role } from './role.js';
import type { Share } from './share.js';
import type { Tenant, TenantKind, TenantSettings, TenantStatus } from './tenant.js';
import type { User, UserState, UserType } from './user.js';
import type { WebhookRepo } from './webhooks.js';

export interface Clock {
  now(): Date;
}

export interface IdGen {
  /** A new random, unguessable id (UUID v4). */
  newId(): string;
}

/** Password hashing. Implementations use argon2id; `verify` is constant-time in the hash. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** A hash of a random password, verified against for unknown users to equalise timing. */
  dummyHash(): Promise<string>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TenantRepo {
  findById(id: string): Promise<Tenant | undefined>;
  findBySlug(slug: string): Promise<Tenant | undefined>;
  findRoot(): Promise<Tenant | undefined>;
  /** Throws `resource.conflict`-family errors on a taken slug or a second root. */
  insert(t: Tenant): Promise<void>;
  /** Optimistic update: with `expectedVersion`, a stale version throws `resource.stale`. */
  update(
    id: string,
    patch: { name?: string; status?: TenantStatus; settings?: TenantSettings },
    expectedVersion?: number,
  ): Promise<Tenant>;
  /** Moves the tenant and its whole subtree below `newParent` in one statement. */
  move(tenant: Tenant, newParent: Tenant): Promise<void>;
  children(parentId: string): Promise<Tenant[]>;
  /** All tenants whose path starts with the tenant's path (itself included). */
  subtree(path: string): Promise<Tenant[]>;
  /** Below `path` (itself excluded) in path order, after the tenant with path `after`. */
  subtreePage(path: string, opts: { limit: number; after?: string }): Promise<Tenant[]>;
  countChildren(id: string): Promise<number>;
  delete(id: string): Promise<void>;
  count(): Promise<number>;
}

export interface NewUser {
  id: string;
  tenantId: string;
  loginName: string;
  email: string | null;
  displayName: string;
  type: UserType;
  state: UserState;
  passwordHash: string | null;
  mustChangePassword: boolean;
  customFields: Record<string, unknown>;
  now: Date;
}

/** How a user relates to the tenant that looks at it. */
export type UserRelation = 'own' | 'shared' | 'customer_primary';

export interface UserListQuery {
  cursor?: string;
  limit: number;
  q?: string;
  state?: UserState;
}

export interface ActorFacts {
  state: UserState;
  mustChangePassword: boolean;
  homeStatus: TenantStatus;
  homeKind: TenantKind;
  /** Null when the acting tenant does not exist. */
  actingStatus: TenantStatus | null;
  sharedIntoActing: boolean;
  /** When the share into the acting tenant ends; null when it does not (or there is none). */
  shareUntil: Date | null;
  /** The user's home roles (capping for an importing tenant is the caller's, see share.ts). */
  roles: Role[];
  /** The consented role sets of the effective shares into the acting tenant; empty without. */
  acceptedRoles: (string[] | null)[];
}

export interface UserRepo {
  /** The user if its home is `tenantId`. */
  findInTenant(tenantId: string, id: string): Promise<User | undefined>;
  /**
   * The user if `tenantId` may see it: its home, an effective imported share, or the primary
   * user of a direct child. Anything else is undefined, exactly as for a missing id.
   */
  findVisible(tenantId: string, id: string, now: Date): Promise<{ user: User; relation: UserRelation } | undefined>;
  findByLogin(tenantId: string, loginName: string): Promise<User | undefined>;
  /**
   * Locks the user's row until the transaction ends, so concurrent changes of one user run one
   * after the other (read-modify-write of roles, companies, custom fields). Returns the fresh user.
   */
  lockForUpdate(tenantId: string, id: string): Promise<User | undefined>;
  /**
   * Records that the user proved control of `email` (e.g. by a link sent there); SSO's
   * verified-email linking trusts only such addresses.
   */
  markEmailVerified(tenantId: string, userId: string, email: string, now: Date): Promise<void>;
  /** Of these users, those whose current address is verified (issue 14 #6). */
  verifiedIds(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Everything that decides whether a user may act for a tenant now, in one read: the user's
   * state, its home's and the acting tenant's status, an effective imported share, its roles.
   */
  actorFacts(homeTenantId: string, userId: string, actingTenantId: string, now: Date): Promise<ActorFacts | undefined>;
  findPrimary(tenantId: string): Promise<User | undefined>;
  /** Conflicts: `user.primary_exists`, `user.login_taken`. */
  insert(u: NewUser): Promise<User>;
  update(
    tenantId: string,
    id: string,
    patch: Partial<Pick<User, 'email' | 'displayName' | 'customFields' | 'state'>>,
    now: Date,
    expectedVersion?: number,
  ): Promise<User>;
  /**
   * Sets (or clears) the password and, in the same transaction, ends every session of the user
   * but `keepSessionHash` (the one that changed its own password) and every API token.
   * `update` with a state other than `active` ends them all likewise.
   */
  setPassword(
    tenantId: string,
    id: string,
    hash: string | null,
    mustChange: boolean,
    now: Date,
    keepSessionHash?: string,
  ): Promise<void>;
  passwordHash(tenantId: string, id: string): Promise<string | null | undefined>;
  delete(tenantId: string, id: string): Promise<void>;
  /** Own users and effective imported shares of the tenant. */
  list(tenantId: string, query: UserListQuery, now: Date): Promise<Page<User & { relation: UserRelation }>>;
  countInTenant(tenantId: string): Promise<number>;
  setCompanies(tenantId: string, userId: string, companyIds: string[]): Promise<void>;
}

export interface RoleRepo {
  list(): Promise<Role[]>;
  upsert(role: Role): Promise<void>;
  delete(key: string): Promise<void>;
  /** Role keys of a user; the user's home tenant is part of the key. */
  userRoles(tenantId: string, userId: string): Promise<string[]>;
  /** Role keys of many users at once (a page), by user id; users without roles are absent. */
  rolesOfUsers(userIds: string[]): Promise<Map<string, string[]>>;
  setUserRoles(tenantId: string, userId: string, keys: string[], grantedBy: string | null, now: Date): Promise<void>;
  /** Number of user assignments of a role (a role still in use cannot be removed). */
  assignments(key: string): Promise<number>;
}

export interface ShareRepo {
  insert(s: Share): Promise<void>;
  /** The share if `tenantId` is one of its two sides (home or target); else undefined. */
  findForTenant(tenantId: string, id: string): Promise<Share | undefined>;
  /** The share of a user into a tenant that is offered or active, if any. */
  findOpen(userId: string, targetTenantId: string): Promise<Share | undefined>;
  /** Single-use: only an `offered` share becomes active; returns undefined otherwise. */
  accept(id: string, acceptedBy: string, now: Date, acceptedRoles: string[]): Promise<Share | undefined>;
  /** Re-acceptance of an active share: replaces the consented role set; undefined if not active. */
  reaccept(id: string, acceptedBy: string, now: Date, acceptedRoles: string[]): Promise<Share | undefined>;
  end(id: string, endedBy: string, now: Date): Promise<Share | undefined>;
  /** Shares where the tenant is home or target. */
  listForTenant(tenantId: string): Promise<Share[]>;
  /** Effective shares of a user (status active, unexpired). */
  effectiveForUser(userId: string, now: Date): Promise<Share[]>;
  endAllForUser(userId: string, endedBy: string | null, now: Date): Promise<number>;
  endAllForTenant(tenantId: string, endedBy: string | null, now: Date): Promise<number>;
}

export interface CompanyRepo {
  list(tenantId: string): Promise<Company[]>;
  findById(tenantId: string, id: string): Promise<Company | undefined>;
  insert(c: Company): Promise<void>;
  rename(tenantId: string, id: string, name: string): Promise<Company | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface FieldRepo {
  list(tenantId: string): Promise<FieldDefinition[]>;
  insert(d: FieldDefinition): Promise<void>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface AuditFilter {
  actorUserId?: string;
  action?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  beforeSeq?: number;
  limit: number;
}

export interface AuditRepo {
  /** Appends to the tenant's hash chain inside the caller's transaction. */
  append(e: AuditInput, at: Date): Promise<AuditEvent>;
  list(tenantId: string, filter: AuditFilter): Promise<AuditEvent[]>;
  /** Every event of the tenant in seq order, and the chain head. */
  chain(tenantId: string): Promise<{ events: AuditEvent[]; head?: { seq: number; hash: string } }>;
}

/** Repositories bound to one transaction (or to autocommit reads). */
/** One row of the outbox: an effect to carry out after the transaction that wrote it committed. */
export interface OutboxItem {
  id: string;
  topic: string;
  payload: unknown;
  attempts: number;
}

/**
 * The transactional outbox: `enqueue` inside the change's transaction (an aborted change leaves
 * nothing); the worker claims due rows with `FOR UPDATE SKIP LOCKED` and a lease, so several
 * instances carry out each item once, and a crash mid-send only delays it until the lease ends.
 */
export interface OutboxRepo {
  enqueue(topic: string, payload: unknown, now: Date): Promise<void>;
  /** Due rows of the topic, claimed until `leaseUntil` (their attempt count already raised). */
  claim(topic: string, now: Date, limit: number, leaseUntil: Date): Promise<OutboxItem[]>;
  markSent(id: string, now: Date): Promise<void>;
  markFailed(id: string, error: string, nextAttemptAt: Date): Promise<void>;
  /** No further attempt: the row stays, with its last error, until housekeeping removes it. */
  markGivenUp(id: string, error: string, now: Date): Promise<void>;
}

export interface Repos {
  apps: AppRepo;
  tenants: TenantRepo;
  users: UserRepo;
  roles: RoleRepo;
  shares: ShareRepo;
  companies: CompanyRepo;
  fields: FieldRepo;
  audit: AuditRepo;
  outbox: OutboxRepo;
  /** oidc-provider's records and the acting tenant of its grants. */
  oidc: OidcPayloadRepo;
  oidcKeys: OidcKeyRepo;
  /** Webhook subscriptions and deliveries (issue 17). */
  webhooks: WebhookRepo;
  /** Tenants' own security policy settings (issue 16). */
  policies: SecurityPolicyRepo;
}

/**
 * The unit of work over a set of repositories. Each use case opens exactly one transaction;
 * `read` runs without one (autocommit), for queries and single-statement writes.
 */
export interface UnitOfWork<R> {
  transaction<T>(fn: (repos: R) => Promise<T>): Promise<T>;
  read<T>(fn: (repos: R) => Promise<T>): Promise<T>;
}

export type Store = UnitOfWork<Repos>;
