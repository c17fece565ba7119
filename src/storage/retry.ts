/**
 * How long the storage layer keeps trying a unit of work that failed transiently (connection
 * lost before COMMIT, primary demoted, serialization failure, deadlock). Attempts start with
 * exponential backoff and jitter; no attempt starts after `budgetMs` from the first one.
 */
export interface RetryBudget {
  /** Attempts in all, the first included; 1 turns retrying off. */
  readonly attempts: number;
  /** No retry starts later than this after the first attempt began. */
  readonly budgetMs: number;
  /** The first backoff; each further one doubles, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 5 attempts within 3 s: 50, 100, 200, 400 ms (± jitter) ride out a switchover or a restart. */
export const DEFAULT_RETRY_BUDGET: RetryBudget = Object.freeze({
  attempts: 5,
  budgetMs: 3000,
  baseDelayMs: 50,
  maxDelayMs: 1000,
});

/** Time and chance, injectable so the policy is tested without waiting. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const realRetryClock: RetryClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * The pause before attempt `retry + 1` (retry counts from 1): the exponential step, its upper
 * half randomised ("equal jitter"), so pauses still grow while racing retriers spread out.
 */
export function backoffMs(budget: RetryBudget, retry: number, random: () => number): number {
  const step = Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * Runs `attempt` until it succeeds, `mayRetry` refuses its error, or the budget is spent; then
 * throws the last error. `attempt` gets the attempt number (1-based); `onRetry` hears each retry.
 */
export async function withRetry<T>(
  budget: RetryBudget,
  attempt: (n: number) => Promise<T>,
  mayRetry: (e: unknown) => boolean,
  clock: RetryClock = realRetryClock,
  onRetry?: (e: unknown) => void,
): Promise<T> {
  const start = clock.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n >= budget.attempts || !mayRetry(e)) throw e;
      const pause = backoffMs(budget, n, clock.random);
      if (clock.now() + pause - start > budget.budgetMs) throw e;
      onRetry?.(e);
      await clock.sleep(pause);
    }
  }
}
