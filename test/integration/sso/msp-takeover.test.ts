import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let op: TestOp;

beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/shared' });
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

describe('MSP switch across connections (issue 20 #1)', () => {
  it('never joins a link made through another tenant’s own connection and claim mapping', async () => {
    const { k } = kit;
    const victim = await k.aTenant(k.root, 'consumer');
    const evil = await k.aTenant(k.root, 'consumer');
    const vAdmin = await kit.admin(victim);
    const vConn = await kit.connect(vAdmin, victim, op);
    const vUser = await k.aUserIn(victim, ['AdministrationAdvanced', 'AdministrationBasic']);
    const vl = await vAdmin.call('POST', `/api/v1/tenants/${victim.id}/users/${vUser.id}/sso-links`, {
      connectionId: vConn.id,
      subject: 'victim-sub',
    });
    expect(vl.statusCode, vl.body).toBe(201);

    // E registers the same issuer but maps "subject" from a claim its users choose themselves.
    const eAdmin = await kit.admin(evil);
    const eConn = await kit.connect(eAdmin, evil, op, { claimMapping: { subject: ['name'] } });
    const throwaway = await k.aUserIn(evil, ['CustomerBasic']);
    const el = await eAdmin.call('POST', `/api/v1/tenants/${evil.id}/users/${throwaway.id}/sso-links`, {
      connectionId: eConn.id,
      subject: 'victim-sub',
    });
    expect(el.statusCode, el.body).toBe(201);

    op.loginAs('attacker-account', { name: 'victim-sub' });
    const b = new Browser(kit.app);
    expect((await b.signIn(`/api/v1/auth/sso/${eConn.id}/start?tenant=${evil.slug}`)).statusCode).toBe(303);
    const cookies = { kontor_session: b.kontor.get('kontor_session') ?? '' };
    const me = await kit.app.inject({ method: 'GET', url: '/api/v1/me', cookies });
    expect(me.json().user.id).toBe(throwaway.id);
    expect(me.json().tenants.map((t: { id: string }) => t.id)).toEqual([evil.id]);
    const sw = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sso/switch',
      payload: { tenantId: victim.id },
      cookies,
      headers: { 'x-csrf-token': me.json().csrfToken },
    });
    expect(sw.statusCode).toBe(404);
  });

  it('refuses a link that names another issuer than its connection asserts', async () => {
    const { k } = kit;
    const t = await k.aTenant(k.root, 'consumer');
    const a = await kit.admin(t);
    const conn = await kit.connect(a, t, op);
    const u = await k.aUserIn(t, ['CustomerBasic']);
    const url = `/api/v1/tenants/${t.id}/users/${u.id}/sso-links`;
    const res = await a.call('POST', url, { connectionId: conn.id, subject: 's', issuer: 'https://other.example' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors).toMatchObject([{ field: 'issuer', code: 'mismatch' }]);
    expect((await a.call('POST', url, { connectionId: conn.id, subject: 's', issuer: op.issuer })).statusCode).toBe(
      201,
    );
  });
});
