import { notFound } from '../../domain/errors.js';
import type { ScimRepos } from '../../domain/scim.js';
import type { User } from '../../domain/user.js';
import { type Ctx, requirePermission } from '../context.js';
import { createUser } from '../create-user.js';
import { deleteUser, setUserState } from '../manage-user.js';
import { attestScimEmail } from './attest-scim-email.js';
import { setExternalId } from './external-id.js';
import { joinedDeps } from './joined-store.js';
import { reconcileUser } from './reconcile-user.js';
import {
  fieldValuesFor,
  type ListQuery,
  type ListResult,
  type ScimDeps,
  type ScimUserModel,
  type ScimUserRecord,
  stateFor,
} from './scim-model.js';

/**
 * The records of these users: external ids, company names and verified marks are read once for
 * all of them, so a page of users costs a fixed number of queries beyond the users themselves.
 */
async function userRecords(repos: ScimRepos, tenantId: string, users: readonly User[]): Promise<ScimUserRecord[]> {
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);
  const ext = await repos.scim.externalIds(tenantId, 'User', ids);
  const verified = await repos.users.verifiedIds(ids);
  const names = new Map((await repos.companies.list(tenantId)).map((c) => [c.id, c.name]));
  return users.map((user) => ({
    user,
    externalId: ext.get(user.id) ?? null,
    emailVerified: verified.has(user.id),
    groups: user.companyIds.map((id) => ({ id, name: names.get(id) ?? id })),
  }));
}

/** The tenant's own users of these ids, in their order; ids of anyone else are skipped. */
async function ownUsers(repos: ScimRepos, tenantId: string, ids: readonly string[]): Promise<User[]> {
  const users: User[] = [];
  // Shared-in users and customers' primaries are visible in the API, but their home provisions them.
  for (const id of ids) {
    const user = await repos.users.findInTenant(tenantId, id);
    if (user) users.push(user);
  }
  return users;
}

/** The user, its external id and its companies; only the tenant's own users are SCIM resources. */
export async function loadUserRecord(repos: ScimRepos, tenantId: string, userId: string): Promise<ScimUserRecord> {
  const [record] = await userRecords(repos, tenantId, await ownUsers(repos, tenantId, [userId]));
  if (!record) throw notFound('user');
  return record;
}

export async function scimGetUser(deps: ScimDeps, ctx: Ctx, tenantId: string, userId: string) {
  requirePermission(ctx.actor, 'users.read', deps.catalogue);
  return deps.scimStore.read((repos) => loadUserRecord(repos, tenantId, userId));
}

/** One comparison of a filter; a filter is a list of them, all of which must hold. */
export type UserTerm = { attribute: 'userName' | 'externalId' | 'id' | 'email'; value: string };

/** Candidates for the first comparison, looked up by index. */
async function candidates(repos: ScimRepos, tenantId: string, t: UserTerm): Promise<string[]> {
  if (t.attribute === 'id') return [t.value];
  if (t.attribute === 'externalId') {
    const id = await repos.scim.findByExternalId(tenantId, 'User', t.value);
    return id ? [id] : [];
  }
  if (t.attribute === 'email') return repos.scim.userIdsByEmail(tenantId, t.value);
  // userName is case-insensitive in SCIM, as login names are in Kontor.
  const user = await repos.users.findByLogin(tenantId, t.value);
  return user ? [user.id] : [];
}

const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();
const holds = (r: ScimUserRecord, t: UserTerm): boolean =>
  t.attribute === 'id'
    ? r.user.id === t.value
    : t.attribute === 'externalId'
      ? r.externalId === t.value
      : same(t.attribute === 'email' ? r.user.email : r.user.loginName, t.value);

export async function scimListUsers(
  deps: ScimDeps,
  ctx: Ctx,
  tenantId: string,
  q: ListQuery<UserTerm[]>,
): Promise<ListResult<ScimUserRecord>> {
  requirePermission(ctx.actor, 'users.read', deps.catalogue);
  return deps.scimStore.read(async (repos) => {
    const [first, ...rest] = q.filter ?? [];
    if (!first) {
      const { total, ids } = await repos.scim.userIds(tenantId, q.startIndex - 1, q.count);
      return { total, items: await userRecords(repos, tenantId, await ownUsers(repos, tenantId, ids)) };
    }
    const found = await userRecords(
      repos,
      tenantId,
      await ownUsers(repos, tenantId, await candidates(repos, tenantId, first)),
    );
    const hits = found.filter((r) => rest.every((t) => holds(r, t)));
    return { total: hits.length, items: hits.slice(q.startIndex - 1, q.startIndex - 1 + q.count) };
  });
}

/**
 * POST /Users: createUser (validation, R5, custom fields, audit) and, for an inactive user,
 * setUserState, joined with the external id and a trusted `verified` claim in one transaction:
 * all or nothing.
 */
export async function scimCreateUser(
  deps: ScimDeps,
  ctx: Ctx,
  tenantId: string,
  m: ScimUserModel,
): Promise<ScimUserRecord> {
  return deps.scimStore.transaction(async (repos) => {
    const d = joinedDeps(deps, repos);
    const defs = await repos.fields.list(tenantId);
    const customFields = Object.fromEntries(Object.entries(fieldValuesFor(defs, m)).filter(([, v]) => v !== null));
    const { user } = await createUser(d, ctx, {
      tenantId,
      loginName: m.userName,
      email: m.email,
      ...(m.displayName !== null ? { displayName: m.displayName } : {}),
      customFields,
    });
    if (stateFor(user.state, m.active) !== user.state) {
      await setUserState(d, ctx, { userId: user.id, state: 'disabled', reason: 'scim' });
    }
    if (m.externalId !== null) {
      await setExternalId(repos, d, ctx, { type: 'User', tenantId, id: user.id, externalId: m.externalId });
    }
    if (m.claimsVerified) await attestScimEmail(d, repos, ctx, tenantId, user.id);
    return loadUserRecord(repos, tenantId, user.id);
  });
}

/**
 * PUT and PATCH /Users/{id}: `change` turns the current user into the wanted one (a replace
 * ignores it, a patch applies its operations); reading and writing share one transaction.
 */
export async function scimChangeUser(
  deps: ScimDeps,
  ctx: Ctx,
  input: { tenantId: string; userId: string; change: (current: ScimUserModel) => ScimUserModel },
): Promise<ScimUserRecord> {
  return deps.scimStore.transaction(async (repos) => {
    // Concurrent changes of one user wait for each other and then apply to fresh data.
    await repos.scim.lockUser(input.tenantId, input.userId);
    const before = await loadUserRecord(repos, input.tenantId, input.userId);
    await reconcileUser(joinedDeps(deps, repos), repos, ctx, before, input.change);
    return loadUserRecord(repos, input.tenantId, input.userId);
  });
}

/** DELETE /Users/{id}: deleteUser (permission, shares ended, audit) for an own user only. */
export async function scimDeleteUser(deps: ScimDeps, ctx: Ctx, tenantId: string, userId: string): Promise<void> {
  await deps.scimStore.transaction(async (repos) => {
    await loadUserRecord(repos, tenantId, userId);
    await deleteUser(joinedDeps(deps, repos), ctx, { userId });
  });
}
