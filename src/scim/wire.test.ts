import { describe, expect, it } from 'vitest';
import type { ScimUserModel } from '../app/scim/scim-model.js';
import { isAppError } from '../domain/errors.js';
import { parseFilter } from './filter.js';
import { applyGroupPatch } from './group-wire.js';
import { parsePatch } from './patch-ops.js';
import { project, projectionOf } from './projection.js';
import { URN } from './scim-schemas.js';
import { applyUserPatch } from './user-patch.js';
import { userFromScim } from './user-wire.js';

const scimTypeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return isAppError(e) ? e.details?.scimType : e;
  }
  return 'no error';
};

const user: ScimUserModel = {
  userName: 'ada',
  externalId: null,
  displayName: 'Ada',
  email: null,
  claimsVerified: false,
  active: true,
  fields: {},
  mappedFields: {},
};
const patch = (...Operations: unknown[]) => parsePatch({ schemas: [URN.patchOp], Operations });

const USERS = { username: 'userName', 'emails.value': 'email' } as const;
const GROUPS = { id: 'id', members: 'members', 'members.value': 'members' } as const;

describe('SCIM filters', () => {
  it('reads eq comparisons with case-insensitive names, a core URN prefix and escaped quotes', () => {
    expect(parseFilter('USERNAME Eq "a\\"b"', USERS, URN.user)).toEqual([{ attribute: 'userName', value: 'a"b' }]);
    expect(parseFilter(`${URN.user}:userName eq "x"`, USERS, URN.user)).toEqual([
      { attribute: 'userName', value: 'x' },
    ]);
    expect(parseFilter('emails[type eq "work"].value eq "a@x.io"', USERS, URN.user)).toEqual([
      { attribute: 'email', value: 'a@x.io' },
    ]);
  });

  it('reads Entra’s membership check: id eq … and members eq …, or members[value eq …]', () => {
    const expected = [
      { attribute: 'id', value: 'g 1' },
      { attribute: 'members', value: 'u and 1' },
    ];
    expect(parseFilter('id eq "g 1" and members eq "u and 1"', GROUPS, URN.group)).toEqual(expected);
    expect(parseFilter('id eq "g 1" AND members[value eq "u and 1"]', GROUPS, URN.group)).toEqual(expected);
  });

  it('refuses other operators, or, unknown attributes and unquoted values as invalidFilter', () => {
    for (const f of ['userName sw "a"', 'userName eq "a" or userName eq "b"', 'title eq "a"', 'userName eq a']) {
      expect(scimTypeOf(() => parseFilter(f, USERS, URN.user))).toBe('invalidFilter');
    }
  });
});

describe('SCIM PATCH of a user', () => {
  it('accepts Entra’s capitalised op names and refuses unknown ones', () => {
    expect(applyUserPatch(user, patch({ op: 'Replace', path: 'active', value: 'False' })).active).toBe(false);
    expect(scimTypeOf(() => patch({ op: 'Move', path: 'active', value: true }))).toBe('invalidSyntax');
    expect(scimTypeOf(() => patch({ op: 'remove' }))).toBe('noTarget');
    expect(scimTypeOf(() => parsePatch({ Operations: 'x' }))).toBe('invalidSyntax');
  });

  it('refuses a non-boolean active instead of guessing', () => {
    expect(scimTypeOf(() => applyUserPatch(user, patch({ op: 'replace', path: 'active', value: 'yes' })))).toBe(
      'invalidValue',
    );
  });

  it('keeps a field named __proto__ as a key, for validation to refuse, not as a prototype', () => {
    const m = applyUserPatch(user, patch({ op: 'add', value: { [`${URN.fields}:__proto__`]: { polluted: true } } }));
    expect(Object.keys(m.fields)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes the primary address of an emails list and ignores attributes Kontor does not keep', () => {
    const m = applyUserPatch(
      user,
      patch(
        { op: 'replace', path: 'emails', value: [{ value: 'a@x.io' }, { value: 'b@x.io', primary: true }] },
        { op: 'replace', path: 'title', value: 'CTO' },
        { op: 'replace', path: 'addresses[type eq "work"].country', value: 'DE' },
      ),
    );
    expect(m).toEqual({ ...user, email: 'b@x.io' });
  });
});

describe('SCIM verified claims', () => {
  const verified = { ...user, email: 'a@x.io', claimsVerified: true };

  it('takes the chosen entry’s verified from a list, an entry or a .verified path, as "True" too', () => {
    const list = [{ value: 'a@x.io', primary: true, verified: 'True' }];
    expect(applyUserPatch(user, patch({ op: 'replace', path: 'emails', value: list }))).toEqual(verified);
    const entry = { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'a@x.io', verified: true } };
    expect(applyUserPatch(user, patch(entry))).toEqual(verified);
    const flag = { op: 'add', path: 'emails[type eq "work"].verified', value: true };
    expect(applyUserPatch({ ...user, email: 'a@x.io' }, patch(flag))).toEqual(verified);
    expect(userFromScim({ userName: 'ada', displayName: 'Ada', emails: list })).toMatchObject(verified);
  });

  it('claims nothing when a replace of emails leaves verified out, and refuses a non-boolean', () => {
    const list = { op: 'replace', path: 'emails', value: [{ value: 'b@x.io' }] };
    expect(applyUserPatch(verified, patch(list)).claimsVerified).toBe(false);
    const bad = { op: 'replace', path: 'emails[type eq "work"].verified', value: 'yes' };
    expect(scimTypeOf(() => applyUserPatch(user, patch(bad)))).toBe('invalidValue');
  });
});

describe('SCIM bodies', () => {
  it('builds the display name from displayName, else name.formatted, else given and family name', () => {
    expect(userFromScim({ userName: 'a', name: { givenName: 'Ada', familyName: 'Lovelace' } }).displayName).toBe(
      'Ada Lovelace',
    );
    expect(userFromScim({ userName: 'a', displayName: 'D', name: { formatted: 'F' } }).displayName).toBe('D');
  });

  it('refuses a provisioned password: Kontor never accepts plaintext passwords this way', () => {
    expect(scimTypeOf(() => userFromScim({ userName: 'a', password: 'secret' }))).toBe('invalidValue');
  });

  it('removes one member of a group by Entra’s members[value eq "…"] path', () => {
    const g = { displayName: 'G', externalId: null, members: ['u1', 'u2'] };
    expect(applyGroupPatch(g, patch({ op: 'Remove', path: 'members[value eq "u1"]' })).members).toEqual(['u2']);
    expect(applyGroupPatch(g, patch({ op: 'remove', path: 'members' })).members).toEqual([]);
  });
});

describe('SCIM attribute projection (RFC 7644 §3.9)', () => {
  const resource = {
    schemas: [URN.user, URN.enterprise],
    id: 'u1',
    userName: 'ada',
    emails: [
      { value: 'a@x.io', type: 'work', primary: true },
      { value: 'b@x.io', type: 'home' },
    ],
    [URN.enterprise]: { department: 'R&D', division: 'Labs' },
  };

  it('merges several sub-attributes of a multi-valued attribute value by value', () => {
    const only = project(resource, URN.user, projectionOf({ attributes: 'EMAILS.value, emails.type' }));
    expect(only).toEqual({
      schemas: [URN.user],
      id: 'u1',
      emails: [
        { value: 'a@x.io', type: 'work' },
        { value: 'b@x.io', type: 'home' },
      ],
    });
  });

  it('takes one attribute out of an extension and drops the extension from schemas when it is gone', () => {
    const one = project(resource, URN.user, projectionOf({ excludedAttributes: `${URN.enterprise}:division` }));
    expect(one[URN.enterprise]).toEqual({ department: 'R&D' });
    const none = project(resource, URN.user, projectionOf({ excludedAttributes: URN.enterprise }));
    expect(none.schemas).toEqual([URN.user]);
  });

  it('ignores schemas in a group PATCH value instead of refusing it as a path', () => {
    const g = { displayName: 'G', externalId: null, members: [] };
    const op = { op: 'replace', value: { schemas: [URN.group], displayName: 'H' } };
    expect(applyGroupPatch(g, patch(op)).displayName).toBe('H');
  });
});
