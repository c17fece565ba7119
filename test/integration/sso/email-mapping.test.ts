import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOp, type TestOp } from './op.js';
import { type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let op: TestOp;

beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/mapping' });
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

describe('verified-email linking needs the standard email claim (issue 20 #10)', () => {
  it('refuses saving verified-email with another email claim, on create and on either change', async () => {
    const t = await kit.k.aTenant(kit.k.root, 'consumer');
    const admin = await kit.admin(t);
    const base = `/api/v1/tenants/${t.id}/sso-connections`;
    const body = { name: 'IdP', issuer: op.issuer, clientId: 'c1', clientSecret: 'secret-value-1' };
    const refused = (res: { statusCode: number; json(): { code: string } }) => {
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('sso.email_mapping_required');
    };
    refused(await admin.call('POST', base, { ...body, linkPolicy: 'verified-email', claimMapping: { email: 'upn' } }));

    const manual = await admin.call('POST', base, { ...body, claimMapping: { email: 'upn' } });
    expect(manual.statusCode, manual.body).toBe(201);
    refused(await admin.call('PATCH', `${base}/${manual.json().id}`, { linkPolicy: 'verified-email' }));

    const byEmail = await admin.call('POST', base, { ...body, clientId: 'c2', linkPolicy: 'verified-email' });
    expect(byEmail.statusCode, byEmail.body).toBe(201);
    refused(
      await admin.call('PATCH', `${base}/${byEmail.json().id}`, { claimMapping: { email: 'preferred_username' } }),
    );
    const unchanged = await admin.call('GET', `${base}/${byEmail.json().id}`);
    expect(unchanged.json().claimMapping.email).toBe('email');
  });
});
