import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScimKit, scimError, scimKit } from './scim-kit.js';

let s: ScimKit;
beforeAll(async () => {
  s = await scimKit();
});
afterAll(async () => s?.close());

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('SCIM and the rank rule', () => {
  it('refuses to overwrite the address, state or name of a user holding an administration role the token’s user lacks', async () => {
    const token = await s.tokenFor(s.tenant, ['AdministrationAdvanced']);
    const boss = await s.h.k.aUserIn(s.tenant, ['AdministrationAdvanced', 'AdministrationBasic'], { login: 'boss' });
    for (const op of [
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'attacker@example.com' },
      { op: 'replace', path: 'active', value: false },
      { op: 'replace', path: 'userName', value: 'renamed' },
    ]) {
      const res = await s.scim('PATCH', `/Users/${boss.id}`, { schemas: [PATCH], Operations: [op] }, { token });
      scimError(res, 403);
    }
    const after = await s.h.k.deps.store.read((r) => r.users.findInTenant(s.tenant.id, boss.id));
    expect(after).toMatchObject({ loginName: 'boss', email: null, state: 'active' });
    scimError(await s.scim('DELETE', `/Users/${boss.id}`, undefined, { token }), 403);
  });

  it('lets a token whose user holds the target’s administration roles change it', async () => {
    const peer = await s.h.k.aUserIn(s.tenant, ['AdministrationBasic'], { login: 'peer' });
    const res = await s.scim('PATCH', `/Users/${peer.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(res.statusCode, res.body).toBe(200);
  });
});
