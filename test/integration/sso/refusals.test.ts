import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let keycloak: TestOp;
let entra: TestOp;
let t: Tenant;
let admin: Admin;

beforeAll(async () => {
  kit = await ssoKit();
  keycloak = await startOp({ path: '/realms/msp' });
  entra = await startOp({ path: '/tid-0002/v2.0', openidClaims: ['tid', 'oid'] });
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
});
afterAll(async () => {
  await kit?.close();
  await keycloak?.close();
  await entra?.close();
});

const startUrl = (connId: string, tenant: Tenant = t) => `/api/v1/auth/sso/${connId}/start?tenant=${tenant.slug}`;

async function snapshot() {
  return {
    users: await kit.k.count('users'),
    links: await kit.k.count('sso_links'),
    sessions: await kit.k.count('sessions'),
  };
}

/**
 * A refusal: one uniform 401 sso.rejected (the answer does not say which check failed), no
 * user, link or session created, and an audit event that names the reason.
 */
async function expectRefused(run: () => Promise<{ statusCode: number; body: string }>, reason: string, tenant = t) {
  const before = await snapshot();
  const res = await run();
  expect(res.statusCode, res.body).toBe(401);
  expect(JSON.parse(res.body)).toMatchObject({ code: 'sso.rejected' });
  expect(await snapshot()).toEqual(before);
  const events = await kit.k.deps.store.read((r) => r.audit.list(tenant.id, { action: 'auth.sso_refused', limit: 50 }));
  expect(events.map((e) => e.details.reason)).toContain(reason);
  return events.find((e) => e.details.reason === reason);
}

async function linked(conn: string, subject: string, roles = ['CustomerBasic']) {
  const user = await kit.k.aUserIn(t, roles);
  const res = await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
    connectionId: conn,
    subject,
  });
  expect(res.statusCode, res.body).toBe(201);
  return user;
}

describe('SSO refusals', () => {
  it('refuses a replayed callback: the state is single-use', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    await linked(conn.id, 'kc-replay');
    keycloak.loginAs('kc-replay');
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id));
    const flowCookie = b.kontor.get('kontor_sso') ?? '';
    expect((await b.kontorGet(cb)).statusCode).toBe(303);
    b.kontor.set('kontor_sso', flowCookie);
    b.kontor.delete('kontor_session');
    await expectRefused(() => b.kontorGet(cb), 'state_unknown_or_used');
  });

  it('refuses an ID token whose nonce is not the one this flow sent', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    await linked(conn.id, 'kc-nonce');
    keycloak.loginAs('kc-nonce');
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id));
    await kit.k.db.kysely
      .updateTable('sso_flows')
      .set({ nonce: 'another-nonce' })
      .where('connection_id', '=', conn.id)
      .execute();
    const e = await expectRefused(() => b.kontorGet(cb), 'OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(String(e?.details.message)).toMatch(/nonce/);
  });

  it('refuses an HS256 ID token when the connection allows only RS256', async () => {
    const conn = await kit.connect(admin, t, keycloak, {}, 'HS256');
    await linked(conn.id, 'kc-hs');
    keycloak.loginAs('kc-hs');
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id));
    const e = await expectRefused(() => b.kontorGet(cb), 'OAUTH_INVALID_RESPONSE');
    expect(String(e?.details.message)).toMatch(/alg/);
  });

  it('refuses an issuer that differs by a trailing slash', async () => {
    const conn = await kit.connect(admin, t, keycloak, { issuer: `${keycloak.issuer}/` });
    await expectRefused(() => new Browser(kit.app).kontorGet(startUrl(conn.id)), 'discovery_failed');
  });

  it("refuses a code from provider B posted to provider A's callback", async () => {
    const a = await kit.connect(admin, t, keycloak);
    const bConn = await kit.connect(admin, t, entra);
    await linked(a.id, 'shared-sub');
    entra.loginAs('shared-sub', { tid: 'tid-0002', oid: 'o1' });
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(bConn.id));
    await expectRefused(() => b.kontorGet(cb.replace(bConn.id, a.id)), 'state_other_connection');
  });

  it('refuses a callback delivered in another browser', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    await linked(conn.id, 'kc-csrf');
    keycloak.loginAs('kc-csrf');
    const cb = await new Browser(kit.app).toCallback(startUrl(conn.id));
    await expectRefused(() => new Browser(kit.app).kontorGet(cb), 'state_other_browser');
  });

  it('never links by an unverified email equal to an existing user’s (nOAuth)', async () => {
    const conn = await kit.connect(admin, t, entra, {
      linkPolicy: 'verified-email',
      vouchedDomains: ['victim.example'],
      claimMapping: { subject: ['tid', 'oid'] },
    });
    const victim = await kit.k.aUserIn(t, ['CustomerBasic']);
    await kit.k.deps.store.transaction((r) =>
      r.users.update(t.id, victim.id, { email: 'ceo@victim.example' }, new Date()),
    );
    await kit.k.db.kysely
      .insertInto('user_verified_emails')
      .values({ tenant_id: t.id, user_id: victim.id, email: 'ceo@victim.example', verified_at: new Date() })
      .execute();
    entra.loginAs('attacker', { tid: 'tid-0002', oid: 'attacker', email: 'ceo@victim.example' });
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id));
    await expectRefused(() => b.kontorGet(cb), 'email_not_verified');
  });

  it('refuses sign-in through a disabled connection', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    await linked(conn.id, 'kc-disabled');
    expect(
      (await admin.call('PATCH', `/api/v1/tenants/${t.id}/sso-connections/${conn.id}`, { enabled: false })).statusCode,
    ).toBe(200);
    await expectRefused(() => new Browser(kit.app).kontorGet(startUrl(conn.id)), 'connection_disabled');
  });

  it('refuses a locked user', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    const user = await linked(conn.id, 'kc-locked');
    await kit.k.deps.store.transaction((r) => r.users.update(t.id, user.id, { state: 'locked' }, new Date()));
    keycloak.loginAs('kc-locked');
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id));
    await expectRefused(() => b.kontorGet(cb), 'user_locked');
  });

  it('refuses sign-in into a suspended tenant, even between start and callback', async () => {
    const s = await kit.k.aTenant(kit.k.root, 'reseller');
    const sAdmin = await kit.admin(s);
    const conn = await kit.connect(sAdmin, s, keycloak);
    const user = await kit.k.aUserIn(s, ['CustomerBasic']);
    await sAdmin.call('POST', `/api/v1/tenants/${s.id}/users/${user.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'kc-susp',
    });
    keycloak.loginAs('kc-susp');
    const b = new Browser(kit.app);
    const cb = await b.toCallback(startUrl(conn.id, s));
    await kit.k.deps.store.transaction((r) => r.tenants.update(s.id, { status: 'suspended' }));
    await expectRefused(() => b.kontorGet(cb), 'tenant_suspended', s);
  });

  it('maps the same subject from two tenants’ providers to two distinct users', async () => {
    const other = await kit.k.aTenant(kit.k.root, 'reseller');
    const otherAdmin = await kit.admin(other);
    const mine = await kit.connect(admin, t, keycloak);
    const theirs = await kit.connect(otherAdmin, other, entra);
    const u1 = await linked(mine.id, 'same-sub');
    const u2 = await kit.k.aUserIn(other, ['CustomerBasic']);
    await otherAdmin.call('POST', `/api/v1/tenants/${other.id}/users/${u2.id}/sso-links`, {
      connectionId: theirs.id,
      subject: 'same-sub',
    });
    keycloak.loginAs('same-sub');
    entra.loginAs('same-sub', { tid: 'tid-0002', oid: 'x' });
    const b1 = new Browser(kit.app);
    await b1.signIn(startUrl(mine.id));
    const b2 = new Browser(kit.app);
    await b2.signIn(startUrl(theirs.id, other));
    const who = async (b: Browser) =>
      (
        await kit.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          cookies: { kontor_session: b.kontor.get('kontor_session') ?? '' },
        })
      ).json();
    const [m1, m2] = [await who(b1), await who(b2)];
    expect([m1.user.id, m2.user.id]).toEqual([u1.id, u2.id]);
    expect(m1.tenants.map((x: { id: string }) => x.id)).toEqual([t.id]);
    // Tenant B's connection cannot sign into tenant A.
    await expectRefused(() => new Browser(kit.app).kontorGet(startUrl(theirs.id, t)), 'connection_not_enabled');
  });

  it('refuses a return URL that leaves this server (no open redirect)', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    for (const to of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await new Browser(kit.app).kontorGet(`${startUrl(conn.id)}&returnTo=${encodeURIComponent(to)}`);
      expect(res.statusCode, to).toBe(400);
    }
  });
});
