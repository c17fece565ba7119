import { api, must } from '../../api/client';
import type { AuditEvent } from '../../api/types';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface Names {
  users: { id: string; loginName: string }[];
  /** A person-readable name for an id the console can resolve, else undefined. */
  of(id: string | null): string | undefined;
}

/**
 * Ids in the log become names where this tenant can see them (its users, its direct customers);
 * others (a user of another tenant) stay short ids, with the full id on hover.
 */
export function useNames(): Names {
  const me = useMe();
  const acting = me.actingTenant;
  const data = useLoad(async () => {
    const path = { params: { path: { id: acting.id } } };
    const [users, children] = await Promise.all([
      must(api.GET('/api/v1/tenants/{id}/users', { params: { path: { id: acting.id }, query: { limit: 200 } } })),
      me.permissions.includes('customers.read')
        ? must(api.GET('/api/v1/tenants/{id}/children', path)).then((r) => r.items)
        : Promise.resolve([]),
    ]);
    const map = new Map<string, string>([
      [me.user.id, me.user.loginName],
      [acting.id, acting.name],
    ]);
    for (const u of users.items) map.set(u.id, u.loginName);
    for (const t of children) map.set(t.id, t.name);
    return { users: users.items, map };
  }, [acting.id]);
  return {
    users: data.data?.users ?? [],
    of: (id) => (id ? data.data?.map.get(id) : undefined),
  };
}

const show = (v: unknown): string =>
  Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

/** `key: value · …` of an event's details, empty values left out, known ids named. */
export function summary(e: AuditEvent, names: Names): string {
  return Object.entries(e.details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${show(v).replace(UUID, (id) => names.of(id) ?? `${id.slice(0, 8)}…`)}`)
    .join(' · ');
}
