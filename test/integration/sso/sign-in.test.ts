import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareMail } from '../../../src/app/auth/email-verification.js';
import { MailWorker } from '../../../src/app/mail-outbox.js';
import type { MailMessage } from '../../../src/domain/auth-ports.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { authStore, nodeTokenCrypto } from '../../../src/storage/auth-store.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
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
  entra = await startOp({ path: '/tid-0001/v2.0', openidClaims: ['tid', 'oid'] });
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
});
afterAll(async () => {
  await kit?.close();
  await keycloak?.close();
  await entra?.close();
});

const startUrl = (connId: string, tenant: Tenant, returnTo?: string) =>
  `/api/v1/auth/sso/${connId}/start?tenant=${tenant.slug}${returnTo ? `&returnTo=${encodeURIComponent(returnTo)}` : ''}`;

async function me(b: Browser) {
  return kit.app.inject({
    method: 'GET',
    url: '/api/v1/me',
    cookies: { kontor_session: b.kontor.get('kontor_session') ?? '' },
  });
}

describe('SSO sign-in', () => {
  it('signs in a user an administrator linked, with the same session cookie as local sign-in', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    const user = await kit.k.aUserIn(t, ['CustomerBasic']);
    const link = await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'kc-alice',
    });
    expect(link.statusCode).toBe(201);
    keycloak.loginAs('kc-alice', { email: 'alice@msp.example', email_verified: true });
    const b = new Browser(kit.app);
    const res = await b.signIn(startUrl(conn.id, t, '/console'));
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/console');
    const who = await me(b);
    expect(who.json().user.id).toBe(user.id);
    // Logout ends the Kontor session and points at the provider's RP-initiated logout.
    const out = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sso/logout',
      cookies: { kontor_session: b.kontor.get('kontor_session') ?? '' },
      headers: { 'x-csrf-token': who.json().csrfToken },
    });
    expect(out.statusCode, out.body).toBe(200);
    expect(out.json().endSessionUrl).toMatch(new RegExp(`^${keycloak.issuer}/session/end\\?`));
    expect((await me(b)).statusCode).toBe(401);
  });

  it('links by a verified email inside a vouched domain only when the local address is verified too', async () => {
    const conn = await kit.connect(admin, t, keycloak, {
      linkPolicy: 'verified-email',
      vouchedDomains: ['MSP.example'],
    });
    const user = await kit.k.aUserIn(t, ['CustomerBasic']);
    await kit.k.deps.store.transaction((r) => r.users.update(t.id, user.id, { email: 'bob@msp.example' }, new Date()));
    await kit.k.db.kysely
      .insertInto('user_verified_emails')
      .values({ tenant_id: t.id, user_id: user.id, email: 'bob@msp.example', verified_at: new Date() })
      .execute();
    keycloak.loginAs('kc-bob', { email: 'Bob@msp.example', email_verified: true });
    const b = new Browser(kit.app);
    expect((await b.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    expect((await me(b)).json().user.id).toBe(user.id);
    const links = await admin.call('GET', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`);
    expect(links.json().items).toMatchObject([
      { connectionId: conn.id, subject: 'kc-bob', createdBy: 'verified-email' },
    ]);
  });

  it('links an administrator-created user by address once its owner followed the verification link', async () => {
    const conn = await kit.connect(admin, t, keycloak, {
      linkPolicy: 'verified-email',
      vouchedDomains: ['msp.example'],
    });
    const created = await admin.call('POST', `/api/v1/tenants/${t.id}/users`, {
      loginName: 'carl',
      email: 'carl@msp.example',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().user.id as string;
    keycloak.loginAs('kc-carl', { email: 'carl@msp.example', email_verified: true });
    // Unconfirmed, the address proves nothing: no link is made.
    const early = new Browser(kit.app);
    const refused = await early.signIn(startUrl(conn.id, t));
    expect(refused.statusCode).toBe(401);
    expect((await me(early)).statusCode).toBe(401);
    // The mail the creation queued carries the link; its owner follows it.
    const mails: MailMessage[] = [];
    const worker = new MailWorker({
      store: authStore(kit.k.db.kysely),
      sender: { send: async (m) => void mails.push(m) },
      clock: { now: () => new Date() },
      prepare: (r, p, now) =>
        prepareMail({ tokens: nodeTokenCrypto, settings: { publicUrl: 'http://kontor.test' } }, r, p, now),
    });
    while ((await worker.tick()) > 0) {}
    const logged = kit.logs.filter((l) => l.includes('carl@msp.example') && l.includes('/verify-email#token='));
    const link =
      mails.find((m) => m.to === 'carl@msp.example')?.link ?? /verify-email#token=([\w-]+)/.exec(logged[0] ?? '')?.[0];
    const token = /#token=([\w-]+)/.exec(link ?? '')?.[1];
    expect(token).toBeTruthy();
    const confirmed = await kit.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    const b = new Browser(kit.app);
    expect((await b.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    expect((await me(b)).json().user.id).toBe(id);
  });

  it('creates a secondary user with the default business roles under the opt-in JIT policy', async () => {
    const conn = await kit.connect(admin, t, keycloak, { linkPolicy: 'jit', jitRoles: ['CustomerBasic'] });
    keycloak.loginAs('kc-new', { email: 'new@msp.example', email_verified: true, name: 'New Person' });
    const before = await kit.k.count('users');
    const b = new Browser(kit.app);
    expect((await b.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    const who = (await me(b)).json();
    expect(await kit.k.count('users')).toBe(before + 1);
    expect(who.user).toMatchObject({
      type: 'secondary',
      displayName: 'New Person',
      email: 'new@msp.example',
      roles: ['CustomerBasic'],
    });
    // Signing in again maps to the same user, never a duplicate.
    const again = new Browser(kit.app);
    expect((await again.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    expect((await me(again)).json().user.id).toBe(who.user.id);
    expect(await kit.k.count('users')).toBe(before + 1);
  });

  it('refuses administration roles as JIT defaults', async () => {
    const res = await admin.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, {
      name: 'jit-admin',
      issuer: keycloak.issuer,
      clientId: 'x',
      linkPolicy: 'jit',
      jitRoles: ['AdministrationBasic'],
    });
    expect(res.statusCode).toBe(400);
  });

  it('keys Entra identities by tenant id and object id', async () => {
    const conn = await kit.connect(admin, t, entra, { claimMapping: { subject: ['tid', 'oid'] } });
    const user = await kit.k.aUserIn(t, ['CustomerBasic']);
    await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
      connectionId: conn.id,
      subject: 'tid-0001:oid-carol',
    });
    entra.loginAs('pairwise-carol', { tid: 'tid-0001', oid: 'oid-carol', email: 'carol@customer.example' });
    const b = new Browser(kit.app);
    expect((await b.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    expect((await me(b)).json().user.id).toBe(user.id);
  });

  it('lets a locally signed-in user link its own identity, and only in its own session', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    const user = await kit.k.aUserIn(t, ['CustomerBasic'], { login: 'self-linker', password: TEST_PASSWORD });
    const login = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: t.slug, username: 'self-linker', password: TEST_PASSWORD },
    });
    const b = new Browser(kit.app);
    b.kontor.set('kontor_session', login.cookies.find((c) => c.name === 'kontor_session')?.value ?? '');
    const begin = async () => {
      const res = await kit.app.inject({
        method: 'POST',
        url: '/api/v1/me/sso-links',
        payload: { connectionId: conn.id },
        cookies: Object.fromEntries(b.kontor),
        headers: { 'x-csrf-token': login.json().csrfToken },
      });
      expect(res.statusCode, res.body).toBe(200);
      b.kontor.set('kontor_sso', res.cookies.find((c) => c.name === 'kontor_sso')?.value ?? '');
      return b.followProvider(res.json().redirectUrl);
    };
    keycloak.loginAs('kc-self');
    // Delivered while another user is signed in in that browser: refused, nothing linked.
    const first = await begin();
    const own = b.kontor.get('kontor_session') ?? '';
    b.kontor.set('kontor_session', 'somebody-else');
    expect((await b.kontorGet(first)).statusCode).toBe(401);
    expect((await admin.call('GET', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`)).json().items).toEqual([]);
    b.kontor.set('kontor_session', own);
    expect((await b.kontorGet(await begin())).statusCode).toBe(303);
    const links = await admin.call('GET', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`);
    expect(links.json().items).toMatchObject([{ subject: 'kc-self', createdBy: 'self' }]);
    const fresh = new Browser(kit.app);
    expect((await fresh.signIn(startUrl(conn.id, t))).statusCode).toBe(303);
    expect((await me(fresh)).json().user.id).toBe(user.id);
  });
});
