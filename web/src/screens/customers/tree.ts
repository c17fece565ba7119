import { api, must } from '../../api/client';
import type { Tenant } from '../../api/types';

/** The subtree API's largest page: the customer page needs the whole tree below one customer. */
const PAGE = 500;

/** Every tenant below the acting tenant, depth-first, all pages. */
export async function wholeSubtree(actingId: string): Promise<Tenant[]> {
  const out: Tenant[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Tenant[]; nextCursor: string | null } = await must(
      api.GET('/api/v1/tenants/{id}/subtree', {
        params: { path: { id: actingId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
      }),
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Children by parent id, in the subtree's (depth-first) order. */
export function childrenOf(items: Tenant[]): Map<string, Tenant[]> {
  const m = new Map<string, Tenant[]>();
  for (const t of items) {
    if (!t.parentId) continue;
    const list = m.get(t.parentId) ?? [];
    list.push(t);
    m.set(t.parentId, list);
  }
  return m;
}

/** How many tenants lie below `id` (all levels). */
export function countBelow(children: Map<string, Tenant[]>, id: string): number {
  let n = 0;
  for (const c of children.get(id) ?? []) n += 1 + countBelow(children, c.id);
  return n;
}

/** `id` and every tenant below it: a tenant cannot move below itself. */
export function selfAndBelow(children: Map<string, Tenant[]>, id: string): Set<string> {
  const out = new Set([id]);
  for (const c of children.get(id) ?? []) for (const x of selfAndBelow(children, c.id)) out.add(x);
  return out;
}
