import { scimListGroups } from '../app/scim/scim-groups.js';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { scimListUsers } from '../app/scim/scim-users.js';
import { listResponse } from './discovery.js';
import { groupToScim } from './group-wire.js';
import { listQueryOf, type ScimListParams } from './list-query.js';
import { project, projectionOf } from './projection.js';
import type { ScimCall } from './scim-call.js';
import { URN } from './scim-schemas.js';
import { userToScim } from './user-wire.js';
import type { Json } from './values.js';

type Query = ReturnType<typeof listQueryOf>;

/** A resource type as a list sees it: its filterable attributes and one page of resources. */
export interface ListedType {
  urn: string;
  filters: Readonly<Record<string, string>>;
  page(deps: ScimDeps, call: ScimCall, q: Query): Promise<{ total: number; resources: Json[] }>;
}

export const USERS: ListedType = {
  urn: URN.user,
  // Filterable attributes by lower-case path; Entra matches on userName, some set-ups on the address.
  filters: { username: 'userName', externalid: 'externalId', id: 'id', emails: 'email', 'emails.value': 'email' },
  async page(deps, { ctx, tenant, base }, q) {
    const page = await scimListUsers(deps, ctx, tenant.id, q as Parameters<typeof scimListUsers>[3]);
    return { total: page.total, resources: page.items.map((r) => userToScim(r, base)) };
  },
};

export const GROUPS: ListedType = {
  urn: URN.group,
  // Entra asks `id eq "g" and members eq "u"` to learn whether a user is (still) a member.
  filters: {
    displayname: 'displayName',
    externalid: 'externalId',
    id: 'id',
    members: 'members',
    'members.value': 'members',
  },
  async page(deps, { ctx, tenant, base }, q) {
    const page = await scimListGroups(deps, ctx, tenant.id, q as Parameters<typeof scimListGroups>[3]);
    return { total: page.total, resources: page.items.map((g) => groupToScim(g, base)) };
  },
};

/** A ListResponse of one resource type: the same for GET and POST …/.search (RFC 7644 §3.4.3). */
export async function listAnswer(deps: ScimDeps, call: ScimCall, type: ListedType, params: ScimListParams) {
  const projection = projectionOf(params);
  const q = listQueryOf(params, type.filters, type.urn);
  const { total, resources } = await type.page(deps, call, q);
  return listResponse(
    resources.map((r) => project(r, type.urn, projection)),
    total,
    q.startIndex,
  );
}

/**
 * POST /.search (RFC 7644 §3.4.3): users, then groups, paged as one list. A filter on an
 * attribute one type lacks matches none of that type (RFC 7644 §3.4.2.2); a filter neither
 * type understands is refused as it is on either endpoint.
 */
export async function searchAll(deps: ScimDeps, call: ScimCall, params: ScimListParams) {
  const projection = projectionOf(params);
  const parsed = [USERS, GROUPS].map((type) => {
    try {
      return { type, q: listQueryOf(params, type.filters, type.urn) };
    } catch (error) {
      return { type, error };
    }
  });
  const usable = parsed.filter((p): p is { type: ListedType; q: Query } => 'q' in p);
  const [first] = usable;
  if (!first) throw (parsed[0] as { error: unknown }).error;
  const { startIndex, count } = first.q;
  let skip = startIndex - 1;
  let room = count;
  let total = 0;
  const resources: Json[] = [];
  for (const { type, q } of usable) {
    // Each type's page starts where the previous types' results end.
    const page = await type.page(deps, call, { ...q, startIndex: skip + 1, count: room });
    total += page.total;
    skip = Math.max(0, skip - page.total);
    room -= page.resources.length;
    resources.push(...page.resources.map((r) => project(r, type.urn, projection)));
  }
  return listResponse(resources, total, startIndex);
}
