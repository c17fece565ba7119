import type { KeyMaker } from './oidc.js';
import type { Repos, UnitOfWork } from './ports.js';
import type { SecretBox } from './sso.js';

/** Rows each purge step removed, by what they were (sessions, links, …); counts only. */
export type PurgeCounts = Readonly<Record<string, number>>;

/** Removes expired sign-in state; each step is idempotent (safe on every instance at once). */
export interface HousekeepingRepo {
  /** Deletes what can no longer matter at `now` (see src/storage/housekeeping.ts). */
  purgeExpired(now: Date): Promise<PurgeCounts>;
}

/** What the operation roles' system tasks touch: housekeeping, tenants (ids) and the audit chains. */
export interface SystemRepos extends Pick<Repos, 'tenants' | 'audit'> {
  housekeeping: HousekeepingRepo;
}

/** The system tasks' storage and the installation's configuration (wired in compose). */
export interface SystemServices {
  store: UnitOfWork<SystemRepos>;
  /** The audit chain's digest (SHA-256), to recompute the chains. */
  digest(material: string): string;
  /**
   * The effective configuration as plain JSON with every secret replaced by `[redacted]` and
   * credentials cut out of URLs: safe to show an operation role, which sees no customer data.
   */
  effectiveConfig(): Readonly<Record<string, unknown>>;
  /** The facts behind GET /api/v1/system/status. */
  status: StatusSource;
  /**
   * What rotating the OpenID Provider's signing keys needs: the key maker, the box that seals
   * them (the servers' own KONTOR_SECRET_KEY) and how long a retired key stays published.
   * Absent where no key is known (then the task is unavailable).
   */
  signingKeys?: { keys: KeyMaker; box: SecretBox; overlapSeconds: number };
}

/** What one server writes in its heartbeat: no host name, address or customer data. */
export interface InstanceBeat {
  id: string;
  startedAt: Date;
  version: string;
  /** What its /readyz would answer now: a write-capable primary answered. */
  readiness: 'ready' | 'not_ready';
}

export interface InstanceRow extends InstanceBeat {
  lastSeenAt: Date;
}

/** The `instances` table (021): every server's heartbeat. */
export interface InstanceRegistry {
  /** Inserts or refreshes the row of `beat.id` with `lastSeenAt = now`. */
  beat(beat: InstanceBeat, now: Date): Promise<void>;
  /** The clean stop: the row goes at once (a crashed server's row is purged after a day). */
  remove(id: string): Promise<void>;
}

/** The database's side of the status: counts, states and times only (R7), read in one go. */
export interface StatusCounts {
  instances: InstanceRow[];
  appliedMigrations: string[];
  outbox: { topic: string; pending: number; givenUp: number; oldestPendingAt: Date | null }[];
  imports: { status: string; jobs: number }[];
  lastPurge: { at: Date; counts: PurgeCounts } | null;
  signingKeys: { alg: string; createdAt: Date; retiredAt: Date | null; publishUntil: Date | null }[];
  /** Hashed app secrets and sealed SSO client secrets: how many, and the oldest last change. */
  appSecrets: { count: number; oldestChangedAt: Date | null };
  ssoSecrets: { count: number; oldestChangedAt: Date | null };
}

/** Everything the status endpoint reports, as the wiring gathers it (see src/compose-system.ts). */
export interface StatusFacts {
  /** This process's heartbeat id and rhythm. */
  self: { id: string; heartbeatSeconds: number };
  database: { dialect: 'pglite' | 'postgres'; reachable: boolean; writable: boolean };
  /** The PostgreSQL pool now; null on PGlite. */
  pool: { total: number; idle: number; waiting: number } | null;
  /** DATABASE_READ_URL: null when none is configured. */
  replica: { reachable: boolean; reads: number; fallbacks: number } | null;
  knownMigrations: readonly string[];
  /** Null when the database could not be read. */
  counts: StatusCounts | null;
  /** Where the key sealing SSO client secrets and OP signing keys comes from. */
  sealingKey: 'config' | 'data-dir' | 'ephemeral';
}

/** Gathers the status facts; never throws for an unreachable database (it says so instead). */
export interface StatusSource {
  read(now: Date): Promise<StatusFacts>;
}
