import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRoles } from '../../../src/app/roles.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import { entraGroup, entraPatch, entraUser, eqFilter } from './entra.js';
import { type ScimJson, type ScimKit, scimError, scimKit, scimOk } from './scim-kit.js';

let s: ScimKit;
const ids: Record<string, string> = {};
const companiesOf = async (userId: string) =>
  (await s.h.k.deps.store.read((r) => r.users.findInTenant(s.tenant.id, userId)))?.companyIds;
const memberIds = (g: ScimJson) => (g.members as { value: string }[]).map((m) => m.value).sort();

beforeAll(async () => {
  s = await scimKit();
  for (const login of ['anna', 'bert', 'carl']) {
    ids[login] = scimOk(await s.scim('POST', '/Users', entraUser(`${login}.x@contoso.com`)), 201).id;
  }
});
afterAll(() => s.close());

describe('SCIM Groups are the tenant’s companies', () => {
  it('creates a company with its members from Entra’s POST and finds it by displayName', async () => {
    const res = await s.scim('POST', '/Groups', entraGroup('Contoso Sales', [ids.anna as string]));
    const group = scimOk(res, 201);
    expect(group).toMatchObject({ displayName: 'Contoso Sales', externalId: 'Contoso Sales-oid' });
    expect(memberIds(group)).toEqual([ids.anna]);
    expect(await companiesOf(ids.anna as string)).toEqual([group.id]);
    const companies = await s.h.k.deps.store.read((r) => r.companies.list(s.tenant.id));
    expect(companies.map((c) => c.name)).toEqual(['Contoso Sales']);

    const found = scimOk(
      await s.scim('GET', `/Groups${eqFilter('displayName', 'Contoso Sales')}&excludedAttributes=members`),
    );
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].members).toBeUndefined();
    const user = scimOk(await s.scim('GET', `/Users/${ids.anna}`));
    expect(user.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Contoso Sales' })]);
  });

  it('adds and removes members with Entra’s PATCH operations, each through updateUser', async () => {
    const { id } = scimOk(await s.scim('POST', '/Groups', entraGroup('Contoso Support')), 201);
    const add = entraPatch({ op: 'Add', path: 'members', value: [{ value: ids.bert }, { value: ids.carl }] });
    expect(memberIds(scimOk(await s.scim('PATCH', `/Groups/${id}`, add)))).toEqual([ids.bert, ids.carl].sort());
    expect(await companiesOf(ids.bert as string)).toEqual([id]);

    const isMember = (u: string) =>
      s.scim('GET', `/Groups?filter=${encodeURIComponent(`id eq "${id}" and members eq "${u}"`)}&attributes=id`);
    expect(scimOk(await isMember(ids.bert as string)).totalResults).toBe(1);
    expect(scimOk(await isMember(ids.anna as string)).totalResults).toBe(0);

    const removeOne = entraPatch({ op: 'Remove', path: `members[value eq "${ids.bert}"]` });
    expect(memberIds(scimOk(await s.scim('PATCH', `/Groups/${id}`, removeOne)))).toEqual([ids.carl]);
    const removeList = entraPatch({ op: 'Remove', path: 'members', value: [{ value: ids.carl }] });
    expect(scimOk(await s.scim('PATCH', `/Groups/${id}`, removeList)).members).toEqual([]);
    expect(await companiesOf(ids.carl as string)).toEqual([]);
    const audit = await s.h.k.deps.store.read((r) =>
      r.audit.list(s.tenant.id, { action: 'user.updated', targetId: ids.carl as string, limit: 10 }),
    );
    expect(audit).toHaveLength(2);
  });

  it('renames a group and changes its externalId with a Replace without path', async () => {
    const { id } = scimOk(await s.scim('POST', '/Groups', entraGroup('Contoso Ops')), 201);
    const patch = entraPatch({ op: 'Replace', value: { displayName: 'Contoso Operations', externalId: 'ops-2' } });
    expect(scimOk(await s.scim('PATCH', `/Groups/${id}`, patch))).toMatchObject({
      displayName: 'Contoso Operations',
      externalId: 'ops-2',
    });
    const byExt = scimOk(await s.scim('GET', `/Groups${eqFilter('externalId', 'ops-2')}`));
    expect(byExt.Resources.map((g: { id: string }) => g.id)).toEqual([id]);
  });

  it('refuses a member that is not a user of the tenant and changes nothing', async () => {
    const other = await s.h.k.aTenant(s.h.k.root, 'reseller');
    const stranger = await s.h.k.aUserIn(other, []);
    const before = await s.h.k.counts();
    scimError(
      await s.scim('POST', '/Groups', entraGroup('Intruders', [ids.anna as string, stranger.id])),
      400,
      'invalidValue',
    );
    expect(await s.h.k.counts()).toEqual(before);
  });

  it('refuses a second group of the same name as uniqueness', async () => {
    scimError(await s.scim('POST', '/Groups', entraGroup('contoso sales', [], 'dup')), 409, 'uniqueness');
  });

  it('deletes a group; its members are no longer limited to it', async () => {
    const { id } = scimOk(await s.scim('POST', '/Groups', entraGroup('Temporary', [ids.bert as string])), 201);
    expect((await s.scim('DELETE', `/Groups/${id}`)).statusCode).toBe(204);
    scimError(await s.scim('GET', `/Groups/${id}`), 404);
    expect(await companiesOf(ids.bert as string)).toEqual([]);
  });

  it('needs users.update to change members, as updateUser demands, and then changes nothing', async () => {
    await applyRoles(
      s.h.k.deps,
      null,
      [
        ...readRolesFile('config/roles.yaml'),
        {
          key: 'CompanyKeeper',
          name: 'Company keeper',
          category: 'business',
          description: '',
          permissions: ['users.read', 'companies.manage'],
        },
      ],
      { dryRun: false },
    );
    const { id } = scimOk(await s.scim('POST', '/Groups', entraGroup('Guarded')), 201);
    const keeper = await s.tokenFor(s.tenant, ['CompanyKeeper']);
    const patch = entraPatch(
      { op: 'Replace', path: 'displayName', value: 'Guarded renamed' },
      { op: 'Add', path: 'members', value: [{ value: ids.carl }] },
    );
    scimError(await s.scim('PATCH', `/Groups/${id}`, patch, { token: keeper }), 403);
    expect(scimOk(await s.scim('GET', `/Groups/${id}`))).toMatchObject({ displayName: 'Guarded', members: [] });
  });
});
