import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createField } from '../../../src/app/companies.js';
import { setUserState } from '../../../src/app/manage-user.js';
import { applyRoles } from '../../../src/app/roles.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import { ENTERPRISE, entraPatch, entraUser, eqFilter, FIELDS } from './entra.js';
import { type ScimKit, scimError, scimKit, scimOk } from './scim-kit.js';

let s: ScimKit;
const stored = (login: string) => s.h.k.deps.store.read((r) => r.users.findByLogin(s.tenant.id, login));
const events = (action: string, targetId: string) =>
  s.h.k.deps.store.read((r) => r.audit.list(s.tenant.id, { action, targetId, limit: 10 }));

beforeAll(async () => {
  s = await scimKit();
  const ctx = await s.h.k.ctx(s.admin.user);
  const field = (key: string, type: 'text' | 'number' | 'boolean') =>
    createField(s.h.k.deps, ctx, { tenantId: s.tenant.id, key, label: key, type });
  await field('department', 'text');
  await field('cost_centre', 'number');
  await field('remote', 'boolean');
});
afterAll(() => s.close());

describe('SCIM Users as Entra ID provisions them', () => {
  it('creates a user from Entra’s POST after an empty userName match, through createUser with audit', async () => {
    const none = scimOk(await s.scim('GET', `/Users${eqFilter('userName', 'ada.lovelace@contoso.com')}`));
    expect(none).toMatchObject({ totalResults: 0, Resources: [] });

    const res = await s.scim('POST', '/Users', entraUser('ada.lovelace@contoso.com', { department: 'Research' }));
    const body = scimOk(res, 201);
    expect(res.headers.location).toBe(body.meta.location);
    expect(body).toMatchObject({
      userName: 'ada.lovelace@contoso.com',
      externalId: 'ada-lovelace-object-id',
      displayName: 'ada lovelace',
      active: true,
      emails: [{ value: 'ada.lovelace@contoso.com', primary: true }],
      [ENTERPRISE]: { department: 'Research' },
      meta: { resourceType: 'User' },
    });
    const user = await stored('ada.lovelace@contoso.com');
    expect(user).toMatchObject({ id: body.id, email: 'ada.lovelace@contoso.com', state: 'active', type: 'secondary' });
    expect(user?.customFields).toEqual({ department: 'Research' });
    const [created] = await events('user.created', body.id);
    expect(created?.actorUserId).toBe(s.admin.user.id);
    expect(await events('scim.external_id_set', body.id)).toHaveLength(1);

    const found = scimOk(await s.scim('GET', `/Users${eqFilter('userName', 'ADA.LOVELACE@contoso.com')}`));
    expect(found).toMatchObject({ totalResults: 1, startIndex: 1, Resources: [{ id: body.id }] });
    const byExt = scimOk(await s.scim('GET', `/Users${eqFilter('externalId', 'ada-lovelace-object-id')}`));
    expect(byExt.Resources.map((u: { id: string }) => u.id)).toEqual([body.id]);
    const byMail = scimOk(
      await s.scim('GET', `/Users${eqFilter('emails[type eq "work"].value', 'Ada.Lovelace@contoso.com')}`),
    );
    expect(byMail.Resources.map((u: { id: string }) => u.id)).toEqual([body.id]);
    const both = `userName eq "ada.lovelace@contoso.com" and externalId eq "someone-else"`;
    expect(scimOk(await s.scim('GET', `/Users?filter=${encodeURIComponent(both)}`)).totalResults).toBe(0);
  });

  it('refuses a second user with a taken userName or externalId as uniqueness, writing nothing', async () => {
    await s.scim('POST', '/Users', entraUser('grace.hopper@contoso.com'));
    const before = await s.h.k.counts();
    scimError(
      await s.scim('POST', '/Users', entraUser('Grace.Hopper@contoso.com', { externalId: 'new' })),
      409,
      'uniqueness',
    );
    const sameExt = entraUser('alan.turing@contoso.com', { externalId: 'grace-hopper-object-id' });
    scimError(await s.scim('POST', '/Users', sameExt), 409, 'uniqueness');
    expect(await s.h.k.counts()).toEqual(before);
  });

  it('disables and re-enables a user with Entra’s PATCH of active as the strings "False" and "True"', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('edsger.dijkstra@contoso.com')), 201);
    const off = scimOk(
      await s.scim('PATCH', `/Users/${id}`, entraPatch({ op: 'Replace', path: 'active', value: 'False' })),
    );
    expect(off.active).toBe(false);
    expect((await stored('edsger.dijkstra@contoso.com'))?.state).toBe('disabled');
    expect(await events('user.state.disabled', id)).toHaveLength(1);
    const on = scimOk(
      await s.scim('PATCH', `/Users/${id}`, entraPatch({ op: 'Replace', path: 'active', value: 'True' })),
    );
    expect(on.active).toBe(true);
    expect((await stored('edsger.dijkstra@contoso.com'))?.state).toBe('active');
  });

  it('applies a Replace without path to several attributes, extensions and Entra’s email path included', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('barbara.liskov@contoso.com')), 201);
    const patch = entraPatch(
      {
        op: 'Replace',
        value: {
          displayName: 'Barbara Liskov',
          'name.givenName': 'Barbara',
          [`${ENTERPRISE}:department`]: 'Theory',
          [`${FIELDS}:remote`]: 'True',
        },
      },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'liskov@contoso.com' },
      { op: 'Replace', path: `${FIELDS}:cost_centre`, value: '4711' },
    );
    const body = scimOk(await s.scim('PATCH', `/Users/${id}`, patch));
    expect(body).toMatchObject({ displayName: 'Barbara Liskov', emails: [{ value: 'liskov@contoso.com' }] });
    const user = await stored('barbara.liskov@contoso.com');
    expect(user?.customFields).toEqual({ department: 'Theory', remote: true, cost_centre: 4711 });
    expect(user?.displayName).toBe('Barbara Liskov');
  });

  it('writes nothing for a PATCH that repeats the current values', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('ken.thompson@contoso.com')), 201);
    const version = (await stored('ken.thompson@contoso.com'))?.version;
    const same = entraPatch({ op: 'Replace', value: { active: true, displayName: 'ken thompson' } });
    scimOk(await s.scim('PATCH', `/Users/${id}`, same));
    expect((await stored('ken.thompson@contoso.com'))?.version).toBe(version);
    expect(await events('user.updated', id)).toHaveLength(0);
  });

  it('refuses an invalid custom field value as invalidValue and changes nothing', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('niklaus.wirth@contoso.com')), 201);
    const bad = entraPatch(
      { op: 'Replace', path: 'displayName', value: 'Niklaus Wirth' },
      { op: 'Replace', path: `${FIELDS}:cost_centre`, value: 'a lot' },
    );
    scimError(await s.scim('PATCH', `/Users/${id}`, bad), 400, 'invalidValue');
    const unknown = entraPatch({ op: 'Add', path: `${FIELDS}:shoe_size`, value: '42' });
    scimError(await s.scim('PATCH', `/Users/${id}`, unknown), 400, 'invalidValue');
    expect((await stored('niklaus.wirth@contoso.com'))?.displayName).toBe('niklaus wirth');
  });

  it('renames the login when Entra changes the userName, and refuses a taken one as uniqueness', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('john.backus@contoso.com')), 201);
    const rename = entraPatch({ op: 'Replace', path: 'userName', value: 'jb@contoso.com' });
    expect(scimOk(await s.scim('PATCH', `/Users/${id}`, rename)).userName).toBe('jb@contoso.com');
    expect((await stored('jb@contoso.com'))?.id).toBe(id);
    expect(await events('user.login_renamed', id)).toHaveLength(1);
    const taken = entraPatch({ op: 'Replace', path: 'userName', value: 'Grace.Hopper@contoso.com' });
    scimError(await s.scim('PATCH', `/Users/${id}`, taken), 409, 'uniqueness');
    const invalid = entraPatch({ op: 'Replace', path: 'userName', value: 'has space' });
    scimError(await s.scim('PATCH', `/Users/${id}`, invalid), 400, 'invalidValue');
    expect((await stored('jb@contoso.com'))?.id).toBe(id);
  });

  it('replaces a user with PUT: what the body leaves out is cleared', async () => {
    const created = entraUser('donald.knuth@contoso.com', { department: 'Art' });
    const { id } = scimOk(await s.scim('POST', '/Users', created), 201);
    const { emails: _e, [ENTERPRISE]: _d, ...rest } = created as Record<string, unknown>;
    const body = scimOk(await s.scim('PUT', `/Users/${id}`, { ...rest, displayName: 'Don Knuth', active: false }));
    expect(body).toMatchObject({ displayName: 'Don Knuth', active: false });
    expect(body.emails).toBeUndefined();
    const user = await stored('donald.knuth@contoso.com');
    expect(user).toMatchObject({ email: null, state: 'disabled', customFields: {} });
  });

  it('creates a user Entra sends inactive as disabled', async () => {
    const body = scimOk(
      await s.scim('POST', '/Users', entraUser('inactive.person@contoso.com', { active: false })),
      201,
    );
    expect(body.active).toBe(false);
    expect((await stored('inactive.person@contoso.com'))?.state).toBe('disabled');
  });

  it('leaves a user an administrator locked locked, whatever Entra sends for active', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('locked.out@contoso.com')), 201);
    await setUserState(s.h.k.deps, await s.h.k.ctx(s.admin.user), { userId: id, state: 'locked' });
    const on = entraPatch({ op: 'Replace', path: 'active', value: 'True' });
    expect(scimOk(await s.scim('PATCH', `/Users/${id}`, on)).active).toBe(false);
    expect((await stored('locked.out@contoso.com'))?.state).toBe('locked');
  });

  it('creates nothing when a later step of the create is refused (no users.lock for an inactive user)', async () => {
    await applyRoles(
      s.h.k.deps,
      null,
      [
        ...readRolesFile('config/roles.yaml'),
        {
          key: 'Provisioner',
          name: 'Provisioner',
          category: 'business',
          description: '',
          permissions: ['users.read', 'users.create', 'users.update'],
        },
      ],
      { dryRun: false },
    );
    const token = await s.tokenFor(s.tenant, ['Provisioner']);
    const before = await s.h.k.counts();
    const inactive = entraUser('half.made@contoso.com', { active: false });
    scimError(await s.scim('POST', '/Users', inactive, { token }), 403);
    expect(await s.h.k.counts()).toEqual(before);
    expect(await stored('half.made@contoso.com')).toBeUndefined();
    scimOk(await s.scim('POST', '/Users', entraUser('whole.made@contoso.com'), { token }), 201);
  });

  it('deletes a user through deleteUser; afterwards it is not found', async () => {
    const { id } = scimOk(await s.scim('POST', '/Users', entraUser('to.delete@contoso.com')), 201);
    const res = await s.scim('DELETE', `/Users/${id}`);
    expect(res.statusCode).toBe(204);
    expect(await events('user.deleted', id)).toHaveLength(1);
    scimError(await s.scim('GET', `/Users/${id}`), 404);
    scimError(await s.scim('DELETE', `/Users/${id}`), 404);
  });

  it('pages the tenant’s users with startIndex and count and reports the total', async () => {
    const all = scimOk(await s.scim('GET', '/Users?count=1000'));
    expect(all.totalResults).toBe(all.Resources.length);
    const page = scimOk(await s.scim('GET', '/Users?startIndex=2&count=2'));
    expect(page).toMatchObject({ totalResults: all.totalResults, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((u: { id: string }) => u.id)).toEqual(
      all.Resources.slice(1, 3).map((u: { id: string }) => u.id),
    );
    const countOnly = scimOk(await s.scim('GET', '/Users?count=0'));
    expect(countOnly).toMatchObject({ totalResults: all.totalResults, Resources: [] });
  });

  it('refuses filters it does not evaluate as invalidFilter rather than listing everyone', async () => {
    scimError(await s.scim('GET', `/Users?filter=${encodeURIComponent('userName co "a"')}`), 400, 'invalidFilter');
    scimError(await s.scim('GET', `/Users${eqFilter('title', 'Engineer')}`), 400, 'invalidFilter');
  });
});
