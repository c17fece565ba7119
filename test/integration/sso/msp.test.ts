import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let keycloak: TestOp;

beforeAll(async () => {
  kit = await ssoKit();
  keycloak = await startOp({ path: '/realms/msp' });
});
afterAll(async () => {
  await kit?.close();
  await keycloak?.close();
});

const actions = async (tenantId: string) =>
  (await kit.k.deps.store.read((r) => r.audit.list(tenantId, { limit: 100 }))).map((e) => e.action);

describe('MSP sign-in across customer tenants', () => {
  it('switches between customers where the same identity is linked, without a new provider round trip', async () => {
    const { k } = kit;
    const msp = await k.aTenant(k.root, 'reseller');
    const c1 = await k.aTenant(msp, 'consumer');
    const c2 = await k.aTenant(msp, 'consumer');
    const other = await k.aTenant(msp, 'consumer');
    const mspAdmin = await kit.admin(msp);
    // The MSP registers its IdP once and offers it to its subtree; each customer opts in.
    const conn = await kit.connect(mspAdmin, msp, keycloak, { offeredToSubtree: true });
    const techs = [];
    for (const c of [c1, c2]) {
      const a = await kit.admin(c);
      expect((await a.call('PUT', `/api/v1/tenants/${c.id}/sso-connections/${conn.id}/enablement`)).statusCode).toBe(
        204,
      );
      const tech = await k.aUserIn(c, ['CustomerBasic']);
      const l = await a.call('POST', `/api/v1/tenants/${c.id}/users/${tech.id}/sso-links`, {
        connectionId: conn.id,
        subject: 'kc-tech',
      });
      expect(l.statusCode, l.body).toBe(201);
      techs.push(tech);
    }
    // Not enabled in `other`: a link there is refused, and it never shows up.
    const otherAdmin = await kit.admin(other);
    const otherTech = await k.aUserIn(other, ['CustomerBasic']);
    const refused = await otherAdmin.call('POST', `/api/v1/tenants/${other.id}/users/${otherTech.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'kc-tech',
    });
    expect(refused.statusCode).toBe(404);

    const options = await kit.app.inject({ method: 'GET', url: `/api/v1/auth/sso/options?tenant=${c1.slug}` });
    expect(options.json().items).toMatchObject([
      { id: conn.id, startUrl: `/api/v1/auth/sso/${conn.id}/start?tenant=${c1.slug}` },
    ]);
    const none = await kit.app.inject({ method: 'GET', url: `/api/v1/auth/sso/options?tenant=${other.slug}` });
    expect(none.json().items).toEqual([]);
    keycloak.loginAs('kc-tech', { email: 'tech@msp.example', email_verified: true });
    const b = new Browser(kit.app);
    expect((await b.signIn(`/api/v1/auth/sso/${conn.id}/start?tenant=${c1.slug}`)).statusCode).toBe(303);
    const cookie = () => ({ kontor_session: b.kontor.get('kontor_session') ?? '' });
    const me1 = await kit.app.inject({ method: 'GET', url: '/api/v1/me', cookies: cookie() });
    expect(me1.json().user.id).toBe(techs[0]?.id);
    expect(me1.json().tenants.map((x: { id: string; relation: string }) => [x.id, x.relation])).toEqual([
      [c1.id, 'home'],
      [c2.id, 'sso'],
    ]);
    const oldCookie = cookie();
    const sw = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sso/switch',
      payload: { tenantId: c2.id },
      cookies: oldCookie,
      headers: { 'x-csrf-token': me1.json().csrfToken },
    });
    expect(sw.statusCode, sw.body).toBe(200);
    const newCookie = sw.cookies.find((c) => c.name === 'kontor_session')?.value ?? '';
    const me2 = await kit.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: newCookie } });
    expect(me2.json().user.id).toBe(techs[1]?.id);
    expect(me2.json().actingTenant.id).toBe(c2.id);
    // The old session ended; the new one ends when the first would have.
    expect((await kit.app.inject({ method: 'GET', url: '/api/v1/me', cookies: oldCookie })).statusCode).toBe(401);
    expect(await actions(c1.id)).toContain('auth.sso_switched_away');
    expect(await actions(c2.id)).toContain('auth.login_succeeded');
    // No way into a tenant where the identity is not linked.
    const bad = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sso/switch',
      payload: { tenantId: other.id },
      cookies: { kontor_session: newCookie },
      headers: { 'x-csrf-token': sw.json().csrfToken },
    });
    expect(bad.statusCode).toBe(404);
  });
});
