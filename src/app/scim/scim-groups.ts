import type { Company } from '../../domain/company.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { ScimRepos } from '../../domain/scim.js';
import type { User } from '../../domain/user.js';
import { createCompany, deleteCompany, listCompanies } from '../companies.js';
import { type AppDeps, audit, type Ctx } from '../context.js';
import { updateUser } from '../manage-user.js';
import { setExternalId } from './external-id.js';
import { joinedDeps } from './joined-store.js';
import { renameCompany } from './rename-company.js';
import type { ListQuery, ListResult, ScimDeps, ScimGroupModel, ScimGroupRecord } from './scim-model.js';

/** One comparison of a filter; a filter is a list of them, all of which must hold. */
export type GroupTerm = { attribute: 'displayName' | 'externalId' | 'id' | 'members'; value: string };

async function records(repos: ScimRepos, tenantId: string, companies: Company[]): Promise<ScimGroupRecord[]> {
  const ids = companies.map((c) => c.id);
  const ext = await repos.scim.externalIds(tenantId, 'Group', ids);
  const members = await repos.scim.members(tenantId, ids);
  const changed = await repos.scim.groupsChangedAt(tenantId, ids);
  return companies.map((company) => {
    const at = changed.get(company.id);
    return {
      company,
      externalId: ext.get(company.id) ?? null,
      members: members.get(company.id) ?? [],
      lastModified: at && at > company.createdAt ? at : company.createdAt,
    };
  });
}

function holds(g: ScimGroupRecord, t: GroupTerm): boolean {
  if (t.attribute === 'id') return g.company.id === t.value;
  if (t.attribute === 'displayName') return g.company.name.toLowerCase() === t.value.toLowerCase();
  if (t.attribute === 'externalId') return g.externalId === t.value;
  return g.members.some((m) => m.userId === t.value);
}

/** Groups are the tenant's companies; reading them needs what listCompanies needs. */
export async function scimListGroups(
  deps: ScimDeps,
  ctx: Ctx,
  tenantId: string,
  q: ListQuery<GroupTerm[]>,
): Promise<ListResult<ScimGroupRecord>> {
  const all = await listCompanies(deps, ctx, tenantId);
  return deps.scimStore.read(async (repos) => {
    // Companies per tenant are few (a corporate group's branches): filtered in memory.
    const hits = (await records(repos, tenantId, all)).filter((g) => (q.filter ?? []).every((t) => holds(g, t)));
    return { total: hits.length, items: hits.slice(q.startIndex - 1, q.startIndex - 1 + q.count) };
  });
}

async function loadGroup(repos: ScimRepos, tenantId: string, companyId: string): Promise<ScimGroupRecord> {
  const company = await repos.companies.findById(tenantId, companyId);
  if (!company) throw notFound('group');
  const [record] = await records(repos, tenantId, [company]);
  return record as ScimGroupRecord;
}

export async function scimGetGroup(deps: ScimDeps, ctx: Ctx, tenantId: string, groupId: string) {
  await listCompanies(deps, ctx, tenantId); // the same permission check as listing
  return deps.scimStore.read((repos) => loadGroup(repos, tenantId, groupId));
}

/**
 * Membership is the user's company limitation: adding or removing goes through updateUser,
 * so its permission (users.update), validation and audit apply to every member change. Each
 * user is locked before its companies are read, in id order (no deadlock between two groups).
 * The company gets an event of its own (`company.members_changed`): the users' events do not
 * say which company changed, and the group's meta.lastModified is read from the log.
 */
async function setMembers(d: AppDeps, repos: ScimRepos, ctx: Ctx, g: ScimGroupRecord, wanted: string[]) {
  const tenantId = g.company.tenantId;
  const have = new Set(g.members.map((m) => m.userId));
  const want = new Set(wanted);
  const changed = [...new Set([...want].filter((id) => !have.has(id)).concat([...have].filter((id) => !want.has(id))))];
  const added: string[] = [];
  const removed: string[] = [];
  for (const userId of changed.sort()) {
    if (!(await repos.scim.lockUser(tenantId, userId))) {
      if (!want.has(userId)) continue;
      throw new AppError('validation.invalid', `No user ${userId} in this tenant`, {
        details: { scimType: 'invalidValue' },
        errors: [{ field: 'members', code: 'user.unknown', message: `No user ${userId}` }],
      });
    }
    const user = (await repos.users.findInTenant(tenantId, userId)) as User;
    const companyIds = want.has(userId)
      ? [...user.companyIds, g.company.id]
      : user.companyIds.filter((id) => id !== g.company.id);
    await updateUser(d, ctx, { userId, expectedVersion: user.version, companyIds });
    (want.has(userId) ? added : removed).push(userId);
  }
  if (added.length + removed.length === 0) return;
  await audit(repos, ctx, d.clock.now(), {
    tenantId,
    action: 'company.members_changed',
    targetType: 'company',
    targetId: g.company.id,
    details: { added, removed, via: 'scim' },
  });
}

/** POST /Groups: createCompany, its external id and its members in one transaction. */
export async function scimCreateGroup(deps: ScimDeps, ctx: Ctx, tenantId: string, m: ScimGroupModel) {
  return deps.scimStore.transaction(async (repos) => {
    const d = joinedDeps(deps, repos);
    const company = await createCompany(d, ctx, { tenantId, name: m.displayName });
    if (m.externalId !== null) {
      await setExternalId(repos, d, ctx, { type: 'Group', tenantId, id: company.id, externalId: m.externalId });
    }
    await setMembers(
      d,
      repos,
      ctx,
      { company, externalId: m.externalId, members: [], lastModified: company.createdAt },
      m.members,
    );
    return loadGroup(repos, tenantId, company.id);
  });
}

/** PUT and PATCH /Groups/{id}: rename, external id and member changes in one transaction. */
export async function scimChangeGroup(
  deps: ScimDeps,
  ctx: Ctx,
  input: { tenantId: string; groupId: string; change: (current: ScimGroupModel) => ScimGroupModel },
): Promise<ScimGroupRecord> {
  await listCompanies(deps, ctx, input.tenantId);
  return deps.scimStore.transaction(async (repos) => {
    const d = joinedDeps(deps, repos);
    const before = await loadGroup(repos, input.tenantId, input.groupId);
    const next = input.change({
      displayName: before.company.name,
      externalId: before.externalId,
      members: before.members.map((m) => m.userId),
    });
    if (next.displayName !== before.company.name) {
      await renameCompany(d, ctx, { tenantId: input.tenantId, companyId: before.company.id, name: next.displayName });
    }
    if (next.externalId !== before.externalId) {
      await setExternalId(repos, d, ctx, {
        type: 'Group',
        tenantId: input.tenantId,
        id: before.company.id,
        externalId: next.externalId,
      });
    }
    await setMembers(d, repos, ctx, before, next.members);
    return loadGroup(repos, input.tenantId, input.groupId);
  });
}

export async function scimDeleteGroup(deps: ScimDeps, ctx: Ctx, tenantId: string, groupId: string): Promise<void> {
  await deleteCompany(deps, ctx, { tenantId, companyId: groupId });
}
