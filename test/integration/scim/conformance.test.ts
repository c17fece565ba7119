import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createField } from '../../../src/app/companies.js';
import { ENTERPRISE, entraGroup, entraPatch, entraUser, eqFilter, FIELDS } from './entra.js';
import { type ScimJson, type ScimKit, scimError, scimKit, scimOk } from './scim-kit.js';

/**
 * Requirements of RFC 7643 (schema) and RFC 7644 (protocol) as a conformance tester walks them;
 * each test names the section it checks. The Entra-specific behaviour lives in users/groups.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let s: ScimKit;
let ada: ScimJson;
let bob: ScimJson;
let team: ScimJson;
const search = (path: string, body: Record<string, unknown>) =>
  s.scim('POST', `${path}/.search`, { schemas: [SEARCH], ...body });
const ids = (list: ScimJson) => list.Resources.map((r: ScimJson) => r.id);

beforeAll(async () => {
  s = await scimKit();
  const ctx = await s.h.k.ctx(s.admin.user);
  for (const key of ['department', 'location']) {
    await createField(s.h.k.deps, ctx, { tenantId: s.tenant.id, key, label: key, type: 'text' });
  }
  ada = scimOk(await s.scim('POST', '/Users', entraUser('ada.conform@contoso.com', { department: 'R&D' })), 201);
  bob = scimOk(await s.scim('POST', '/Users', entraUser('bob.conform@contoso.com')), 201);
  team = scimOk(await s.scim('POST', '/Groups', entraGroup('Conformance', [ada.id])), 201);
});
afterAll(() => s.close());

type Attr = { name: string; type: string; mutability: string; subAttributes?: Attr[] } & ScimJson;
const walk = (attrs: Attr[], parent?: Attr): { attr: Attr; parent?: Attr }[] =>
  attrs.flatMap((a) => [{ attr: a, ...(parent ? { parent } : {}) }, ...walk(a.subAttributes ?? [], a)]);
const schemaAttrs = async (): Promise<{ attr: Attr; parent?: Attr }[]> => {
  const all = scimOk(await s.scim('GET', '/Schemas'));
  return all.Resources.flatMap((sc: { attributes: Attr[] }) => walk(sc.attributes));
};
const attrOf = async (schemaId: string, name: string): Promise<Attr> =>
  scimOk(await s.scim('GET', `/Schemas/${schemaId}`)).attributes.find((a: Attr) => a.name === name);

describe('RFC 7643 §7 schema definitions', () => {
  it('gives every reference attribute its referenceTypes and compares references case-exact (§2.3.7)', async () => {
    const refs = (await schemaAttrs()).filter(({ attr }) => attr.type === 'reference');
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const { attr } of refs) {
      expect(attr.referenceTypes, attr.name).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(attr.caseExact).toBe(true);
    }
    const groups = await attrOf(USER, 'groups');
    expect(groups.subAttributes?.find((a) => a.name === '$ref')?.referenceTypes).toEqual(['Group']);
  });

  it('has no readWrite sub-attribute below a readOnly parent (§2.2)', async () => {
    const under = (await schemaAttrs()).filter(({ parent }) => parent?.mutability === 'readOnly');
    expect(under.length).toBeGreaterThan(0);
    expect(under.filter(({ attr }) => attr.mutability !== 'readOnly')).toEqual([]);
  });

  it('declares the Group members sub-attributes it returns: value, $ref, type and display (§8.7.1)', async () => {
    const members = await attrOf(GROUP, 'members');
    const declared = (members.subAttributes ?? []).map((a) => a.name).sort();
    expect(declared).toEqual(['$ref', 'display', 'type', 'value']);
    const got = scimOk(await s.scim('GET', `/Groups/${team.id}`));
    expect(Object.keys(got.members[0]).sort()).toEqual(declared);
  });

  it('declares externalId unique per tenant ("server"), as the database keeps it (§2.2)', async () => {
    expect((await attrOf(USER, 'externalId')).uniqueness).toBe('server');
    expect((await attrOf(GROUP, 'externalId')).uniqueness).toBe('server');
  });
});

describe('RFC 7643 §3.1 resource meta', () => {
  it('gives a group lastModified equal to created until it changes, and a version', async () => {
    const g = scimOk(await s.scim('POST', '/Groups', entraGroup('Meta group')), 201);
    expect(g.meta.lastModified).toBe(g.meta.created);
    expect(g.meta.version).toMatch(/^W\/".+"$/);
    expect(scimOk(await s.scim('GET', `/Groups/${g.id}`)).meta).toEqual(g.meta);

    s.h.clock.advance(60);
    const add = entraPatch({ op: 'add', path: 'members', value: [{ value: bob.id }] });
    const changed = scimOk(await s.scim('PATCH', `/Groups/${g.id}`, add));
    expect(Date.parse(changed.meta.lastModified)).toBeGreaterThan(Date.parse(g.meta.created));
    expect(changed.meta.version).not.toBe(g.meta.version);
    expect(changed.meta.created).toBe(g.meta.created);
  });
});

describe('RFC 7644 §3.4.3 searching with POST', () => {
  it('answers POST /Users/.search as GET /Users answers the same filter and paging', async () => {
    const filter = 'userName eq "ada.conform@contoso.com"';
    const viaGet = scimOk(await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`));
    const viaPost = scimOk(await search('/Users', { filter, startIndex: 1, count: 10 }));
    expect(viaPost).toEqual(viaGet);
    expect(ids(viaPost)).toEqual([ada.id]);
    const paged = scimOk(await search('/Users', { startIndex: 2, count: 1 }));
    const all = scimOk(await s.scim('GET', '/Users'));
    expect(paged).toMatchObject({ startIndex: 2, itemsPerPage: 1, totalResults: all.totalResults });
    expect(ids(paged)).toEqual([all.Resources[1].id]);
  });

  it('answers POST /Groups/.search, with the attributes the body asks for', async () => {
    const res = scimOk(
      await search('/Groups', { filter: 'displayName eq "Conformance"', attributes: ['displayName'] }),
    );
    expect(res.Resources).toEqual([{ schemas: [GROUP], id: team.id, displayName: 'Conformance' }]);
  });

  it('searches users and groups at the root, paged as one list', async () => {
    const users = scimOk(await s.scim('GET', '/Users?count=0')).totalResults;
    const groups = scimOk(await s.scim('GET', '/Groups?count=0')).totalResults;
    const all = scimOk(await search('', {}));
    expect(all.totalResults).toBe(users + groups);
    const edge = scimOk(await search('', { startIndex: users, count: 2 }));
    expect(edge.Resources.map((r: ScimJson) => r.meta.resourceType)).toEqual(['User', 'Group']);
    const byName = scimOk(await search('', { filter: 'displayName eq "Conformance"' }));
    expect(ids(byName)).toEqual([team.id]);
  });

  it('refuses a body that is not a SearchRequest, and a filter it cannot read', async () => {
    const wrong = await s.scim('POST', '/Users/.search', { schemas: ['urn:x'], filter: 'id eq "x"' });
    scimError(wrong, 400, 'invalidSyntax');
    scimError(await search('/Users', { filter: 'userName sw "a"' }), 400, 'invalidFilter');
    scimError(await search('', { filter: 'title eq "a"' }), 400, 'invalidFilter');
  });
});

describe('RFC 7644 §3.12 errors', () => {
  it('answers an unknown path of an existing tenant with a 404 that does not claim the tenant is missing', async () => {
    const missingTenant = scimError(await s.scim('GET', '/Users', undefined, { slug: 'no-such-tenant' }), 404);
    for (const [method, path] of [
      ['POST', '/Bulk'],
      ['GET', '/Nothing/here'],
      ['POST', '/Users/x/.search'],
    ] as const) {
      const body = scimError(await s.scim(method, path, method === 'POST' ? {} : undefined), 404);
      expect(body.detail).not.toBe(missingTenant.detail);
      expect(body.detail).toMatch(/endpoint/i);
    }
  });

  it('answers a taken externalId with 409 uniqueness and a detail naming it (RFC 7643 §2.2)', async () => {
    const clash = entraUser('clash.conform@contoso.com', { externalId: ada.externalId });
    const body = scimError(await s.scim('POST', '/Users', clash), 409, 'uniqueness');
    expect(body.detail).toContain(`externalId "${ada.externalId}"`);
    const patch = entraPatch({ op: 'replace', path: 'externalId', value: team.externalId });
    const g = scimOk(await s.scim('POST', '/Groups', entraGroup('Clash group')), 201);
    const groupBody = scimError(await s.scim('PATCH', `/Groups/${g.id}`, patch), 409, 'uniqueness');
    expect(groupBody.detail).toMatch(/externalId .* another group/);
  });
});

describe('RFC 7644 §3.5.2 PATCH', () => {
  it('accepts an extension value that carries schemas, for the Kontor fields as for the enterprise extension', async () => {
    const fields = { schemas: [FIELDS], location: 'Berlin' };
    const enterprise = { schemas: [ENTERPRISE], department: 'Ops' };
    const res = scimOk(
      await s.scim(
        'PATCH',
        `/Users/${bob.id}`,
        entraPatch({ op: 'add', path: FIELDS, value: fields }, { op: 'add', path: ENTERPRISE, value: enterprise }),
      ),
    );
    expect(res[FIELDS]).toEqual({ department: 'Ops', location: 'Berlin' });
    expect(res[ENTERPRISE]).toEqual({ department: 'Ops' });
    const noPath = entraPatch({ op: 'replace', value: { schemas: [USER], [FIELDS]: { ...fields, location: 'Wien' } } });
    expect(scimOk(await s.scim('PATCH', `/Users/${bob.id}`, noPath))[FIELDS].location).toBe('Wien');
  });

  it('refuses to remove the required displayName with mutability and keeps it (§3.5.2.2)', async () => {
    expect((await attrOf(USER, 'displayName')).required).toBe(true);
    for (const path of ['displayName', 'name.formatted']) {
      scimError(await s.scim('PATCH', `/Users/${bob.id}`, entraPatch({ op: 'remove', path })), 400, 'mutability');
    }
    expect(scimOk(await s.scim('GET', `/Users/${bob.id}`)).displayName).toBe(bob.displayName);
    const { displayName: _d, name: _n, ...nameless } = entraUser('nameless.conform@contoso.com');
    scimError(await s.scim('POST', '/Users', nameless), 400, 'invalidValue');
  });
});

describe('RFC 7644 §3.9 attributes and excludedAttributes', () => {
  it('returns only the attributes asked for, plus id and schemas, in lists and single resources', async () => {
    const list = scimOk(await s.scim('GET', `/Users${eqFilter('userName', ada.userName)}&attributes=userName`));
    expect(list.Resources).toEqual([{ schemas: [USER], id: ada.id, userName: ada.userName }]);
    const one = scimOk(await s.scim('GET', `/Users/${ada.id}?attributes=emails.value,${ENTERPRISE}:department`));
    expect(one).toEqual({
      schemas: [USER, ENTERPRISE],
      id: ada.id,
      emails: [{ value: ada.userName }],
      [ENTERPRISE]: { department: 'R&D' },
    });
    const core = scimOk(await s.scim('GET', `/Users/${ada.id}?attributes=${USER}:DISPLAYNAME`));
    expect(core).toEqual({ schemas: [USER], id: ada.id, displayName: ada.displayName });
  });

  it('leaves out excluded attributes but never id or schemas', async () => {
    const got = scimOk(await s.scim('GET', `/Users/${ada.id}?excludedAttributes=id,schemas,emails,meta,${FIELDS}`));
    expect(got).toMatchObject({ id: ada.id, schemas: [USER, ENTERPRISE], userName: ada.userName });
    expect(got).not.toHaveProperty('emails');
    expect(got).not.toHaveProperty('meta');
    expect(got).not.toHaveProperty(FIELDS);
    const groups = scimOk(await s.scim('GET', `/Groups/${team.id}?excludedAttributes=members`));
    expect(groups).not.toHaveProperty('members');
  });

  it('applies to the answers of POST, PUT and PATCH', async () => {
    const created = await s.scim('POST', '/Users?attributes=userName', entraUser('proj.conform@contoso.com'));
    const body = scimOk(created, 201);
    expect(Object.keys(body).sort()).toEqual(['id', 'schemas', 'userName']);
    const patched = scimOk(
      await s.scim(
        'PATCH',
        `/Users/${body.id}?excludedAttributes=groups,name`,
        entraPatch({ op: 'replace', path: 'active', value: false }),
      ),
    );
    expect(patched).toMatchObject({ active: false });
    expect(patched).not.toHaveProperty('groups');
    const put = { ...entraUser('proj.conform@contoso.com'), displayName: 'Projected' };
    const replaced = scimOk(await s.scim('PUT', `/Users/${body.id}?attributes=displayName`, put));
    expect(replaced).toEqual({ schemas: [USER], id: body.id, displayName: 'Projected' });
    const group = scimOk(await s.scim('PATCH', `/Groups/${team.id}?attributes=displayName`, entraPatch()));
    expect(group).toEqual({ schemas: [GROUP], id: team.id, displayName: 'Conformance' });
  });

  it('never returns what is not returned by default, even when asked, and refuses both parameters at once', async () => {
    const asked = scimOk(await s.scim('GET', `/Users/${ada.id}?attributes=password,userName`));
    expect(asked).not.toHaveProperty('password');
    scimError(
      await s.scim('GET', `/Users/${ada.id}?attributes=userName&excludedAttributes=emails`),
      400,
      'invalidValue',
    );
  });
});
