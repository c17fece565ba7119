import { MAX_RESULTS } from './discovery.js';
import { parseFilter } from './filter.js';

export interface ScimListParams {
  filter?: string;
  startIndex?: string;
  count?: string;
  attributes?: string;
  excludedAttributes?: string;
}

const DEFAULT_COUNT = 100;

/**
 * Paging as RFC 7644 §3.4.2.4 wants it: a startIndex below 1 is 1, a negative count is 0
 * (a count-only answer), and a count above the maximum is cut to it rather than refused.
 */
export function listQueryOf<A extends string>(q: ScimListParams, names: Readonly<Record<string, A>>, coreUrn: string) {
  const start = Number.parseInt(q.startIndex ?? '1', 10);
  const count = Number.parseInt(q.count ?? String(DEFAULT_COUNT), 10);
  return {
    ...(q.filter !== undefined && q.filter.trim() !== '' ? { filter: parseFilter(q.filter, names, coreUrn) } : {}),
    startIndex: Number.isFinite(start) && start > 1 ? start : 1,
    count: Number.isFinite(count) ? Math.min(Math.max(count, 0), MAX_RESULTS) : DEFAULT_COUNT,
  };
}
