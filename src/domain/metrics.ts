/**
 * The counting port for operational metrics (issue 19): use cases and storage report what
 * happened, an adapter (src/adapters/prometheus-metrics.ts) turns it into Prometheus series.
 * Every argument is a small closed set of values: no tenant, user or name ever reaches a
 * metric (R7), and the number of series stays bounded whatever the traffic.
 */
export type SignInOutcome = 'succeeded' | 'failed' | 'throttled';

/** How a transient storage fault is classed (src/storage/sql-errors.ts); `commit` is an unknown outcome. */
export type StorageFaultKind = 'unavailable' | 'conflict';
export type StorageFaultStage = 'not-sent' | 'rejected' | 'in-flight' | 'commit';

export interface Metrics {
  /** A password sign-in ended with a verdict; `throttled` when a limit refused it before any check. */
  signIn(outcome: SignInOutcome): void;
  /** An authorization decision, and whether the verified cache answered it without a read. */
  decision(allowed: boolean, cacheHit: boolean): void;
  /** A background import job finished. */
  importJob(status: 'succeeded' | 'failed'): void;
  /** A unit of work is run again after a transient fault. */
  storageRetry(kind: StorageFaultKind): void;
  /** An attempt of a unit of work failed with a transient fault (retried or not). */
  storageFault(kind: StorageFaultKind, stage: StorageFaultStage): void;
}

/** Counts nothing: the default where no metrics are wired (bare test setups, the CLI). */
export const NO_METRICS: Metrics = Object.freeze({
  signIn() {},
  decision() {},
  importJob() {},
  storageRetry() {},
  storageFault() {},
});
