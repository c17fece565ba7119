import { expect } from 'vitest';
import type { Answer, Cluster } from './instances.js';

/**
 * Where a 503 comes from. The product documents one overload answer for a burst: a request that
 * waits longer than KONTOR_DB_CONNECT_TIMEOUT_MS for a pooled connection answers 503
 * `storage.unavailable` with Retry-After (docs/operations.md, "Timeouts"). The instances' logs
 * tell which cause each 503 had, so a test can tolerate that one and no other.
 */

/** pg-pool's message when a client waited past `connectionTimeoutMillis` for a pooled connection. */
export const POOL_WAIT = 'timeout exceeded when trying to connect';

/** How much each instance had written so far: pass to {@link failureCauses} after a burst. */
export const outputMarks = (c: Cluster): number[] => c.instances.map((i) => i.output().length);

/**
 * The error message of every answer of 500 or more that the instances logged after `marks`.
 * Each such answer is logged once as "request failed" (src/http/plugins/problem.ts); pino's error
 * serializer appends the causes' messages, so the pool's own words are in it.
 */
export function failureCauses(c: Cluster, marks: number[]): string[] {
  return c.instances.flatMap((inst, i) => {
    const out = inst.output();
    // Complete lines only: the last one may still be on its way through the pipe.
    return out
      .slice(marks[i] ?? 0, out.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; err?: { message?: string } })
      .filter((e) => e.msg === 'request failed')
      .map((e) => e.err?.message ?? '');
  });
}

/**
 * Every 503 of the burst was a pool wait, and nothing else answered 500 or more. The logger writes
 * asynchronously, so a line may reach the pipe after its answer: wait (boundedly) until every 503
 * has its line, then compare.
 */
export async function expectOnlyPoolWaits(c: Cluster, rs: Answer[], marks: number[]): Promise<void> {
  const overloaded = rs.filter((r) => r.status === 503).length;
  const deadline = Date.now() + 10_000;
  while (failureCauses(c, marks).length < overloaded && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const causes = failureCauses(c, marks);
  if (overloaded > 0)
    console.info(`burst: ${overloaded} of ${rs.length} answered 503 (${[...new Set(causes)].join('; ')})`);
  expect(causes.filter((m) => !m.includes(POOL_WAIT))).toEqual([]);
  expect(causes).toHaveLength(overloaded);
}
