import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../sso/browser.js';
import { startOp, type TestOp } from '../sso/op.js';
import { type SsoKit, ssoKit } from '../sso/sso-kit.js';

let kit: SsoKit;
let op: TestOp;
beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/policy' });
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

const startUrl = (connId: string, slug: string) => `/api/v1/auth/sso/${connId}/start?tenant=${slug}`;
const me = (b: Browser) =>
  kit.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    cookies: { kontor_session: b.kontor.get('kontor_session') ?? '' },
  });

describe('SSO under the security policy (issue 16)', () => {
  it('records amr fed, holds an obliged SSO session at enrolment, and signs in only through named connections', async () => {
    const t = await kit.k.aTenant(kit.k.root, 'reseller');
    const admin = await kit.admin(t);
    const conn = await kit.connect(admin, t, op);
    const user = await kit.k.aUserIn(t, ['CustomerBasic']);
    const link = await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'sso-dora',
    });
    expect(link.statusCode, link.body).toBe(201);
    op.loginAs('sso-dora', {});
    const b = new Browser(kit.app);
    expect((await b.signIn(startUrl(conn.id, t.slug))).statusCode).toBe(303);
    const listed = await kit.app.inject({ method: 'GET', url: `/api/v1/auth/sso/options?tenant=${t.slug}` });
    expect(listed.json().items.map((i: { id: string }) => i.id)).toEqual([conn.id]);
    const who = (await me(b)).json();
    expect(who.authentication).toMatchObject({ amr: ['fed'], mfaEnrolmentRequired: false });
    // Only another connection allowed: this one no longer signs in, and the login page hides it.
    const other = '00000000-0000-4000-8000-000000000001';
    const put = await admin.call('PUT', `/api/v1/tenants/${t.id}/security-policy`, { ssoConnections: [other] });
    expect(put.statusCode, put.body).toBe(200);
    const refused = new Browser(kit.app);
    expect((await refused.signIn(startUrl(conn.id, t.slug))).statusCode).toBe(401);
    const options = await kit.app.inject({ method: 'GET', url: `/api/v1/auth/sso/options?tenant=${t.slug}` });
    expect(options.json().items).toEqual([]);
    // Named, and MFA required for everyone: the SSO session is held until a factor is shown.
    expect(
      (
        await admin.call('PUT', `/api/v1/tenants/${t.id}/security-policy`, {
          ssoConnections: [conn.id],
          mfa: 'everyone',
        })
      ).statusCode,
    ).toBe(200);
    const held = new Browser(kit.app);
    expect((await held.signIn(startUrl(conn.id, t.slug))).statusCode).toBe(303);
    expect((await me(held)).json().authentication).toMatchObject({ amr: ['fed'], mfaEnrolmentRequired: true });
    const blocked = await kit.app.inject({
      method: 'GET',
      url: `/api/v1/tenants/${t.id}`,
      cookies: { kontor_session: held.kontor.get('kontor_session') ?? '' },
    });
    expect(blocked.json().code).toBe('mfa.enrolment_required');
  });
});
