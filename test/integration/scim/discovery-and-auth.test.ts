import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createField } from '../../../src/app/companies.js';
import { entraUser, FIELDS } from './entra.js';
import { ADMIN, type ScimKit, scimError, scimKit, scimOk } from './scim-kit.js';

let s: ScimKit;
beforeAll(async () => {
  s = await scimKit();
  const ctx = await s.h.k.ctx(s.admin.user);
  await createField(s.h.k.deps, ctx, {
    tenantId: s.tenant.id,
    key: 'location',
    label: 'Location',
    type: 'select',
    options: ['Berlin', 'Wien'],
    required: false,
  });
});
afterAll(() => s.close());

describe('SCIM discovery', () => {
  it('serves the ServiceProviderConfig with PATCH and filter supported and bearer authentication', async () => {
    const body = scimOk(await s.scim('GET', '/ServiceProviderConfig'));
    expect(body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      bulk: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
  });

  it('lists User and Group resource types with the enterprise and field extensions', async () => {
    const body = scimOk(await s.scim('GET', '/ResourceTypes'));
    expect(body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect(body.Resources[0].schemaExtensions.map((e: { schema: string }) => e.schema)).toContain(FIELDS);
    scimOk(await s.scim('GET', '/ResourceTypes/Group'));
  });

  it('describes the tenant’s custom fields in the Kontor extension schema', async () => {
    const body = scimOk(await s.scim('GET', `/Schemas/${FIELDS}`));
    expect(body.attributes).toEqual([
      expect.objectContaining({ name: 'location', type: 'string', canonicalValues: ['Berlin', 'Wien'] }),
    ]);
    const all = scimOk(await s.scim('GET', '/Schemas'));
    expect(all.totalResults).toBe(4);
  });
});

describe('SCIM authentication', () => {
  it('answers a request without a token with a SCIM 401 and a Bearer challenge', async () => {
    const res = await s.h.app.inject({ method: 'GET', url: `/scim/v2/${s.tenant.slug}/Users` });
    scimError(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    scimError(await s.scim('GET', '/Users', undefined, { token: 'kt_forged' }), 401);
  });

  it('does not accept the session cookie: provisioning uses API tokens only', async () => {
    const res = await s.h.app.inject({
      method: 'POST',
      url: `/scim/v2/${s.tenant.slug}/Users`,
      cookies: { kontor_session: s.admin.cookie },
      headers: { 'x-csrf-token': s.admin.csrf },
      payload: entraUser('cookie.user@contoso.com'),
    });
    scimError(res, 401);
  });

  it('answers a token of another tenant exactly like a tenant that does not exist', async () => {
    const other = await s.h.k.aTenant(s.h.k.root, 'reseller');
    const foreign = await s.scim('GET', '/Users', undefined, { slug: other.slug });
    const missing = await s.scim('GET', '/Users', undefined, { slug: 'no-such-tenant' });
    scimError(foreign, 404);
    expect(foreign.body).toBe(missing.body);
    const otherToken = await s.tokenFor(other, ADMIN);
    scimError(await s.scim('GET', '/Users', undefined, { token: otherToken }), 404);
  });

  it('refuses a token whose user lacks the permission the use case demands', async () => {
    const clerk = await s.tokenFor(s.tenant, ['CustomerBasic']);
    scimError(await s.scim('GET', '/Users', undefined, { token: clerk }), 403);
    const before = await s.h.k.count('users');
    scimError(await s.scim('POST', '/Users', entraUser('no.right@contoso.com'), { token: clerk }), 403);
    expect(await s.h.k.count('users')).toBe(before);
  });

  it('stops a revoked token on its next request', async () => {
    const res = await s.admin.call('GET', '/api/v1/me/tokens');
    const id = res.json().items.find((t: { name: string }) => t.name === 'Entra ID provisioning').id;
    scimOk(await s.scim('GET', '/ServiceProviderConfig'));
    expect((await s.admin.call('DELETE', `/api/v1/me/tokens/${id}`)).statusCode).toBe(204);
    scimError(await s.scim('GET', '/ServiceProviderConfig'), 401);
  });
});

describe('SCIM wire format', () => {
  it('accepts application/json bodies as well as application/scim+json', async () => {
    const token = await s.tokenFor(s.tenant, ADMIN);
    const charset = { token, headers: { 'content-type': 'application/scim+json; charset=utf-8' } };
    scimOk(await s.scim('POST', '/Users', entraUser('charset.body@contoso.com'), charset), 201);
    const res = await s.scim('POST', '/Users', entraUser('json.body@contoso.com'), {
      token,
      headers: { 'content-type': 'application/json' },
    });
    scimOk(res, 201);
  });

  it('answers malformed JSON with invalidSyntax and an unknown endpoint with a SCIM 404', async () => {
    const token = await s.tokenFor(s.tenant, ADMIN);
    const res = await s.h.app.inject({
      method: 'POST',
      url: `/scim/v2/${s.tenant.slug}/Users`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      payload: '{"userName": ',
    });
    scimError(res, 400, 'invalidSyntax');
    scimError(await s.scim('GET', '/Bulk', undefined, { token }), 404);
  });
});
