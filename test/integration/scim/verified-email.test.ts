import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraPatch, entraUser, eqFilter } from './entra.js';
import { type ScimJson, type ScimKit, scimKit, scimOk } from './scim-kit.js';

// Issue 14 #6: SCIM answers emails[].verified, and a client's `verified: true` is kept only
// from a token whose user may attest the address (users.email.attest and the rank rule).

let s: ScimKit;
/** A token whose user may provision (users.create, users.update) but not attest addresses. */
let basicToken: string;
beforeAll(async () => {
  s = await scimKit();
  basicToken = await s.tokenFor(s.tenant, ['AdministrationBasic']);
});
afterAll(async () => s?.close());

const withVerified = (body: ReturnType<typeof entraUser>, verified: unknown) => ({
  ...body,
  emails: body.emails.map((e) => ({ ...e, verified })),
});
/** The state as the API answers it, independent of the SCIM output under test. */
const apiVerified = async (id: string) =>
  (await s.admin.call('GET', `/api/v1/users/${id}`)).json().emailVerified as boolean;
const scimVerified = (u: ScimJson) => u.emails?.[0]?.verified as boolean | undefined;
const attested = (id: string) =>
  s.h.k.deps.store.read((r) => r.audit.list(s.tenant.id, { action: 'user.email_attested', targetId: id, limit: 10 }));
const post = async (body: unknown, token?: string) =>
  scimOk(await s.scim('POST', '/Users', body, token ? { token } : {}), 201);

describe('SCIM emails[].verified out', () => {
  it('answers false until the address is attested through the API, then true in get and list', async () => {
    const u = await post(entraUser('ada.lovelace@contoso.com'));
    expect(u.emails).toEqual([{ value: 'ada.lovelace@contoso.com', type: 'work', primary: true, verified: false }]);
    const other = await post(entraUser('grace.hopper@contoso.com'));
    expect((await s.admin.call('POST', `/api/v1/users/${u.id}/email-attestation`)).statusCode).toBe(204);

    expect(scimVerified(scimOk(await s.scim('GET', `/Users/${u.id}`)))).toBe(true);
    const page = scimOk(await s.scim('GET', '/Users?count=200')).Resources as ScimJson[];
    const byId = new Map(page.map((r) => [r.id, scimVerified(r)]));
    expect(byId.get(u.id)).toBe(true);
    expect(byId.get(other.id)).toBe(false);
    const filtered = scimOk(await s.scim('GET', `/Users${eqFilter('userName', 'ada.lovelace@contoso.com')}`));
    expect(scimVerified(filtered.Resources[0])).toBe(true);
  });

  it('publishes verified as a sub-attribute of emails', async () => {
    const user = scimOk(await s.scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'));
    const emails = user.attributes.find((a: ScimJson) => a.name === 'emails');
    expect(emails.subAttributes.find((a: ScimJson) => a.name === 'verified')).toMatchObject({ type: 'boolean' });
  });
});

describe('SCIM emails[].verified in', () => {
  it('ignores verified: true from a token whose user lacks users.email.attest, in POST, PUT and PATCH', async () => {
    const body = withVerified(entraUser('alan.turing@contoso.com'), true);
    const u = await post(body, basicToken);
    expect(scimVerified(u)).toBe(false);
    const put = await s.scim('PUT', `/Users/${u.id}`, body, { token: basicToken });
    expect(scimVerified(scimOk(put))).toBe(false);
    for (const op of [
      { op: 'Replace', path: 'emails', value: body.emails },
      { op: 'Replace', path: 'emails[type eq "work"].verified', value: 'True' },
    ]) {
      const res = await s.scim('PATCH', `/Users/${u.id}`, entraPatch(op), { token: basicToken });
      expect(scimVerified(scimOk(res))).toBe(false);
    }
    expect(await apiVerified(u.id)).toBe(false);
    expect(await attested(u.id)).toEqual([]);
  });

  it('ignores verified: true for a user who holds an administration role the token’s user lacks', async () => {
    const advancedOnly = await s.tokenFor(s.tenant, ['AdministrationAdvanced']);
    const boss = await s.h.k.aUserIn(s.tenant, ['AdministrationAdvanced', 'AdministrationBasic']);
    expect((await s.admin.call('PATCH', `/api/v1/users/${boss.id}`, { email: 'boss@contoso.com' })).statusCode).toBe(
      200,
    );
    const claim = entraPatch({ op: 'Replace', path: 'emails[type eq "work"].verified', value: true });
    const res = await s.scim('PATCH', `/Users/${boss.id}`, claim, { token: advancedOnly });
    expect(scimVerified(scimOk(res))).toBe(false);
    expect(await apiVerified(boss.id)).toBe(false);
    expect(await attested(boss.id)).toEqual([]);
  });

  it('marks the address from a token that may attest it, audited once as user.email_attested via scim', async () => {
    const body = withVerified(entraUser('barbara.liskov@contoso.com'), true);
    const u = await post(body);
    expect(scimVerified(u)).toBe(true);
    expect(await apiVerified(u.id)).toBe(true);
    const [event, ...more] = await attested(u.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      actorUserId: s.admin.user.id,
      targetType: 'user',
      details: { email: 'barbara.liskov@contoso.com', via: 'scim' },
    });
    // Entra repeats its values: an address verified already writes nothing more.
    expect(scimVerified(scimOk(await s.scim('PUT', `/Users/${u.id}`, body)))).toBe(true);
    expect(await attested(u.id)).toHaveLength(1);
  });

  it('marks through a PATCH of emails[type eq "work"].verified, and as "True", from a trusted token', async () => {
    const u = await post(entraUser('john.backus@contoso.com'));
    expect(scimVerified(u)).toBe(false);
    const claim = entraPatch({ op: 'Add', path: 'emails[type eq "work"].verified', value: 'True' });
    expect(scimVerified(scimOk(await s.scim('PATCH', `/Users/${u.id}`, claim)))).toBe(true);
    expect(await attested(u.id)).toHaveLength(1);
  });

  it('never marks for verified: false, nor clears a mark the owner earned', async () => {
    const u = await post(withVerified(entraUser('ken.thompson@contoso.com'), false));
    expect(scimVerified(u)).toBe(false);
    expect(await attested(u.id)).toEqual([]);
    expect((await s.admin.call('POST', `/api/v1/users/${u.id}/email-attestation`)).statusCode).toBe(204);
    const denial = entraPatch({ op: 'Replace', path: 'emails[type eq "work"].verified', value: false });
    expect(scimVerified(scimOk(await s.scim('PATCH', `/Users/${u.id}`, denial)))).toBe(true);
  });

  it('a changed address loses the mark, whatever token changes it, unless a trusted token vouches for the new one', async () => {
    const u = await post(withVerified(entraUser('edsger.dijkstra@contoso.com'), true));
    expect(await apiVerified(u.id)).toBe(true);
    const move = entraPatch({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'ewd@contoso.com' });
    const moved = scimOk(await s.scim('PATCH', `/Users/${u.id}`, move));
    expect(moved.emails).toEqual([{ value: 'ewd@contoso.com', type: 'work', primary: true, verified: false }]);
    expect(await apiVerified(u.id)).toBe(false);

    const vouched = withVerified(entraUser('edsger.dijkstra@contoso.com'), true);
    vouched.emails = vouched.emails.map((e) => ({ ...e, value: 'dijkstra@contoso.com' }));
    expect(scimVerified(scimOk(await s.scim('PUT', `/Users/${u.id}`, vouched)))).toBe(true);
    const events = await attested(u.id);
    expect(events.map((e) => e.details.email).sort()).toEqual(['dijkstra@contoso.com', 'edsger.dijkstra@contoso.com']);

    vouched.emails = vouched.emails.map((e) => ({ ...e, value: 'elsewhere@contoso.com' }));
    const untrusted = await s.scim('PUT', `/Users/${u.id}`, vouched, { token: basicToken });
    expect(scimVerified(scimOk(untrusted))).toBe(false);
    expect(await apiVerified(u.id)).toBe(false);
  });
});
