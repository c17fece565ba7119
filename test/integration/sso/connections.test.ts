import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let keycloak: TestOp;
let t: Tenant;
let admin: Admin;

beforeAll(async () => {
  kit = await ssoKit();
  keycloak = await startOp({ path: '/realms/conn' });
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
});
afterAll(async () => {
  await kit?.close();
  await keycloak?.close();
});

const base = () => `/api/v1/tenants/${t.id}/sso-connections`;

describe('SSO connections API', () => {
  it('creates, reads, changes and deletes a connection, auditing each change', async () => {
    const created = await admin.call('POST', base(), {
      name: 'Keycloak',
      issuer: keycloak.issuer,
      clientId: 'kontor',
      clientSecret: 'first-secret-value',
      vouchedDomains: ['MSP.example'],
    });
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({
      hasClientSecret: true,
      linkPolicy: 'manual',
      enabled: true,
      scopes: ['openid', 'email', 'profile'],
      idTokenAlgs: ['RS256'],
      vouchedDomains: ['msp.example'],
      redirectUri: `http://127.0.0.1:3000/api/v1/auth/sso/${c.id}/callback`,
    });
    const patched = await admin.call('PATCH', `${base()}/${c.id}`, {
      linkPolicy: 'verified-email',
      clientSecret: 'second',
    });
    expect(patched.json()).toMatchObject({ linkPolicy: 'verified-email', version: 2 });
    expect((await admin.call('GET', base())).json().items).toHaveLength(1);
    expect((await admin.call('DELETE', `${base()}/${c.id}`)).statusCode).toBe(204);
    expect((await admin.call('GET', `${base()}/${c.id}`)).statusCode).toBe(404);
    const actions = (await kit.k.deps.store.read((r) => r.audit.list(t.id, { targetId: c.id, limit: 10 }))).map(
      (e) => e.action,
    );
    expect(actions.sort()).toEqual(['sso.connection.created', 'sso.connection.deleted', 'sso.connection.updated']);
  });

  it('refuses the algorithm none and HMAC algorithms in the allow-list', async () => {
    for (const alg of ['none', 'HS256']) {
      const res = await admin.call('POST', base(), {
        name: 'x',
        issuer: keycloak.issuer,
        clientId: 'x',
        idTokenAlgs: [alg],
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('refuses a plain-http issuer that is not on this machine', async () => {
    const res = await admin.call('POST', base(), { name: 'x', issuer: 'http://idp.example/realms/x', clientId: 'x' });
    expect(res.statusCode).toBe(400);
  });

  it('lets only holders of sso.manage in the acting tenant see or change connections', async () => {
    const clerk = await kit.k.aUserIn(t, ['CustomerBasic'], {
      login: 'clerk',
      password: 'correct horse battery staple',
    });
    const login = await kit.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: t.slug, username: clerk.loginName, password: 'correct horse battery staple' },
    });
    const cookie = login.cookies.find((x) => x.name === 'kontor_session')?.value ?? '';
    const res = await kit.app.inject({ method: 'GET', url: base(), cookies: { kontor_session: cookie } });
    expect(res.statusCode).toBe(403);
    const other = await kit.k.aTenant(kit.k.root, 'reseller');
    expect((await admin.call('GET', `/api/v1/tenants/${other.id}/sso-connections`)).statusCode).toBe(404);
  });

  it('never shows the client secret in an answer, a log line or an audit event, and stores it encrypted', async () => {
    const conn = await kit.connect(admin, t, keycloak);
    const user = await kit.k.aUserIn(t, ['CustomerBasic']);
    const answers: string[] = [];
    answers.push((await admin.call('GET', base())).body);
    answers.push((await admin.call('GET', `${base()}/${conn.id}`)).body);
    answers.push((await admin.call('PATCH', `${base()}/${conn.id}`, { name: 'renamed' })).body);
    answers.push(
      (
        await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
          connectionId: conn.id,
          subject: 'kc-s',
        })
      ).body,
    );
    keycloak.loginAs('kc-s');
    const b = new Browser(kit.app);
    const cb = await b.signIn(`/api/v1/auth/sso/${conn.id}/start?tenant=${t.slug}`);
    expect(cb.statusCode).toBe(303);
    answers.push(cb.body, JSON.stringify(cb.headers));
    const events = await kit.k.deps.store.read((r) => r.audit.list(t.id, { limit: 100 }));
    const stored = await kit.k.db.kysely.selectFrom('sso_connections').select('client_secret_enc').execute();
    for (const text of [...answers, ...kit.logs, JSON.stringify(events), JSON.stringify(stored)]) {
      expect(text).not.toContain(conn.clientSecret);
    }
    expect(kit.logs.length).toBeGreaterThan(0);
  });
});
