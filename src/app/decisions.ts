import {
  type CompiledAccess,
  compileUser,
  type Decision,
  decide,
  holds,
  PERMISSION_UNKNOWN,
  PermissionIndex,
} from '../domain/decision.js';
import type { DecisionSource, TenantPlace } from '../domain/decision-source.js';
import { type Metrics, NO_METRICS } from '../domain/metrics.js';
import type { PermissionCatalogue } from '../domain/permissions.js';
import type { Clock, Store } from '../domain/ports.js';
import type { Role } from '../domain/role.js';
import { BoundedCache } from './bounded-cache.js';

export interface DecisionQuery {
  userId: string;
  tenantId: string;
  permission: string;
}

export interface DecisionEngineOptions {
  /** Users whose compiled access is kept (each a handful of tenants); default 200,000. */
  maxUsers?: number;
  /** Tenant places kept for `customers.*` and scope checks; default 200,000. */
  maxTenants?: number;
  /**
   * Let `freshVersion` answer from a cache that no invalidation has touched since its last
   * verification. Exact when every writer is this process and its notifications arrive before
   * its commits return (the embedded PGlite: one process per data directory); on PostgreSQL it
   * trades read-after-acknowledge across instances for fewer queries (KONTOR_CACHE_FRESHNESS).
   */
  trustNotifications?: boolean;
  /** Counts decisions and cache hits (issue 19). */
  metrics?: Metrics;
}

/** Tenants a user may act for with the access there; empty for unknown or blocked users. */
type UserAccess = ReadonlyMap<string, CompiledAccess>;
const NOWHERE: UserAccess = new Map();
/** Rounds of re-verification before answering from what was read (invalidations keep coming). */
const MAX_VERIFY_ROUNDS = 3;

/**
 * Authorization decisions from a per-process cache of compiled access. The cache is trusted only
 * while it is verified: `invalidate()` (a NOTIFY, a commit in this process, a timer) marks it
 * unverified, and the next decision first re-reads the version counter and drops everything if
 * it moved. So a missed notification delays nothing beyond the next verification, and a change
 * committed through this process is seen by the very next decision.
 */
export class DecisionEngine {
  private readonly index: PermissionIndex;
  private readonly users: BoundedCache<string, UserAccess>;
  private readonly places: BoundedCache<string, TenantPlace | null>;
  private roles: Promise<Map<string, Role>> | undefined;
  private version = Number.NaN;
  /** Raised by every invalidation; a verification counts only if none happened meanwhile. */
  private epoch = 0;
  private verifiedEpoch = -1;
  /** Raised when the cache is dropped; a load begun before that does not enter the cache. */
  private generation = 0;
  private verifying: Promise<void> | undefined;
  /** The version read in flight, and the one queued behind it (see `freshVersion`). */
  private reading: Promise<number> | undefined;
  private queued: Promise<number> | undefined;
  private readonly now: () => number;
  private readonly trustNotifications: boolean;
  private readonly metrics: Metrics;

  constructor(
    private readonly source: DecisionSource,
    catalogue: PermissionCatalogue,
    clock: Clock,
    opts: DecisionEngineOptions = {},
  ) {
    this.index = new PermissionIndex(catalogue);
    this.users = new BoundedCache(opts.maxUsers ?? 200_000);
    this.places = new BoundedCache(opts.maxTenants ?? 200_000);
    this.now = () => clock.now().getTime();
    this.trustNotifications = opts.trustNotifications ?? false;
    this.metrics = opts.metrics ?? NO_METRICS;
  }

  /** Something may have changed: verify the version before the next decision. */
  invalidate(): void {
    this.epoch++;
  }

  /**
   * Drops every cached decision now, whatever the version says: the NOTIFY connection was lost
   * or came back, so changes may have been missed (after a failover the version counter may even
   * repeat). Loads in flight do not enter the cache; the next decision reads the database.
   */
  forget(): void {
    this.users.clear();
    this.places.clear();
    this.roles = undefined;
    this.version = Number.NaN;
    this.generation++;
    this.epoch++;
  }

  /**
   * The decision version as read by a query that began after this call, so anything committed
   * before it (on any instance) is seen: a request verified this way honours a revocation the
   * client saw acknowledged elsewhere, without waiting for the notification. Callers arriving
   * while a read is in flight share the one queued behind it: one query per round trip, however
   * many requests wait.
   */
  freshVersion(): Promise<number> {
    if (this.trustNotifications && this.verifiedEpoch === this.epoch) return Promise.resolve(this.version);
    const inFlight = this.reading;
    if (inFlight === undefined) return this.startRead();
    this.queued ??= inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  knowsPermission(permission: string): boolean {
    return this.index.bitOf(permission) >= 0;
  }

  /** The answer from the verified cache alone; undefined when something must be read first. */
  tryDecide(userId: string, tenantId: string, permission: string): Decision | undefined {
    if (this.verifiedEpoch !== this.epoch) return undefined;
    const bit = this.index.bitOf(permission);
    if (bit < 0) return PERMISSION_UNKNOWN;
    const access = this.users.get(userId);
    if (access === undefined) return undefined;
    const own = access.get(tenantId);
    let parent: CompiledAccess | undefined;
    if (this.index.isCustomers(bit) && access.size > 0 && !holds(own, bit, this.now)) {
      const place = this.places.get(tenantId);
      if (place === undefined) return undefined;
      if (place !== null && place.parentId !== null) parent = access.get(place.parentId);
    }
    return decide(own, parent, bit, this.index, this.now);
  }

  /** May the user do `permission` in the tenant? Never throws for unknown ids. */
  async decide(userId: string, tenantId: string, permission: string): Promise<Decision> {
    const cached = this.tryDecide(userId, tenantId, permission);
    if (cached !== undefined) return this.counted(cached, true);
    return this.counted(await this.load(userId, tenantId, permission), false);
  }

  private counted(d: Decision, cacheHit: boolean): Decision {
    this.metrics.decision(d.allowed, cacheHit);
    return d;
  }

  /** A decision after verifying the cache and reading what it misses. */
  private async load(userId: string, tenantId: string, permission: string): Promise<Decision> {
    await this.ensureVerified();
    const bit = this.index.bitOf(permission);
    if (bit < 0) return PERMISSION_UNKNOWN;
    const access = await this.userAccess(userId);
    const own = access.get(tenantId);
    let parent: CompiledAccess | undefined;
    if (this.index.isCustomers(bit) && access.size > 0 && !holds(own, bit, this.now)) {
      const place = await this.tenantPlace(tenantId);
      if (place?.parentId) parent = access.get(place.parentId);
    }
    return decide(own, parent, bit, this.index, this.now);
  }

  /** Many decisions; users missing from the cache are read a few at a time, not one by one. */
  async decideMany(queries: readonly DecisionQuery[]): Promise<Decision[]> {
    const out: Decision[] = new Array(queries.length);
    const missing: number[] = [];
    queries.forEach((q, i) => {
      const d = this.tryDecide(q.userId, q.tenantId, q.permission);
      if (d === undefined) missing.push(i);
      else out[i] = this.counted(d, true);
    });
    if (missing.length === 0) return out;
    await this.ensureVerified();
    const users = [...new Set(missing.map((i) => (queries[i] as DecisionQuery).userId))];
    for (let i = 0; i < users.length; i += 8) {
      await Promise.all(users.slice(i, i + 8).map((u) => this.userAccess(u)));
    }
    for (const i of missing) {
      const q = queries[i] as DecisionQuery;
      out[i] = this.counted(await this.load(q.userId, q.tenantId, q.permission), false);
    }
    return out;
  }

  /** Where a tenant sits (cached like decisions), undefined when unknown. */
  async tenantPlace(tenantId: string): Promise<TenantPlace | undefined> {
    if (this.verifiedEpoch !== this.epoch) await this.ensureVerified();
    const cached = this.places.get(tenantId);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.generation;
    const place = await this.source.tenantPlace(tenantId);
    if (generation === this.generation) this.places.set(tenantId, place ?? null);
    return place;
  }

  /**
   * The store with every committed transaction invalidating the cache, so a change made through
   * this process never waits for its own notification to come back.
   */
  tracking(store: Store): Store {
    return {
      read: (fn) => store.read(fn),
      transaction: async (fn) => {
        try {
          return await store.transaction(fn);
        } finally {
          this.invalidate();
        }
      },
    };
  }

  private async ensureVerified(): Promise<void> {
    for (let round = 0; round < MAX_VERIFY_ROUNDS && this.verifiedEpoch !== this.epoch; round++) {
      this.verifying ??= this.verify().finally(() => {
        this.verifying = undefined;
      });
      await this.verifying;
    }
  }

  private async verify(): Promise<void> {
    const epoch = this.epoch;
    this.apply(await this.source.version(), epoch);
  }

  private startRead(): Promise<number> {
    const epoch = this.epoch;
    const read = this.source.version().then((v) => {
      this.apply(v, epoch);
      return v;
    });
    this.reading = read;
    read.then(
      () => this.settle(read),
      () => this.settle(read),
    );
    return read;
  }

  private startQueued(): Promise<number> {
    this.queued = undefined;
    return this.startRead();
  }

  private settle(read: Promise<number>): void {
    if (this.reading === read) this.reading = undefined;
  }

  /** A version read that began at `epoch`: drops everything if it moved, then vouches for the cache. */
  private apply(version: number, epoch: number): void {
    if (version !== this.version) {
      this.version = version;
      this.users.clear();
      this.places.clear();
      this.roles = undefined;
      this.generation++;
    }
    if (epoch > this.verifiedEpoch) this.verifiedEpoch = epoch;
  }

  private async userAccess(userId: string): Promise<UserAccess> {
    const cached = this.users.get(userId);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    this.roles ??= this.source.roles().then(
      (rs) => new Map(rs.map((r) => [r.key, r])),
      (e: unknown) => {
        this.roles = undefined; // a failed read must not stick
        throw e;
      },
    );
    const [roles, facts] = await Promise.all([this.roles, this.source.userFacts(userId)]);
    const access = facts ? compileUser(facts, roles, this.index) : NOWHERE;
    if (generation === this.generation) this.users.set(userId, access);
    return access;
  }
}
