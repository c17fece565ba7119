import type { Repos, UnitOfWork } from './ports.js';

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
}
