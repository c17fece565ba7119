import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { Browser } from './browser.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type Conn, type SsoKit, ssoKit } from './sso-kit.js';

// Access follows its source (issue 14 #5) and consent follows the terms (issue 20 #3): sessions
// opened through an SSO link end when the link, the connection or the tenant's enablement goes,
// and a descendant's enablement is voided when the owner changes who gets in as whom.

let kit: SsoKit;
let op: TestOp;
beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/source' });
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

let n = 0;
const actions = async (tenantId: string) =>
  (await kit.k.deps.store.read((r) => r.audit.list(tenantId, { limit: 200 }))).map((e) => e.action);
const status = async (cookie: string) =>
  (await kit.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } })).statusCode;

/** An MSP whose connection is offered down, one customer that opted in, users linked in both. */
async function scene() {
  const { k } = kit;
  const msp = await k.aTenant(k.root, 'reseller');
  const customer = await k.aTenant(msp, 'consumer');
  const mspAdmin = await kit.admin(msp);
  const custAdmin = await kit.admin(customer);
  const conn = await kit.connect(mspAdmin, msp, op, { offeredToSubtree: true });
  const enable = await custAdmin.call('PUT', `/api/v1/tenants/${customer.id}/sso-connections/${conn.id}/enablement`);
  expect(enable.statusCode, enable.body).toBe(204);
  const link = async (a: Admin, t: Tenant) => {
    const user = await k.aUserIn(t, ['CustomerBasic'], { password: TEST_PASSWORD });
    const subject = `source-${++n}`;
    const res = await a.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
      connectionId: conn.id,
      subject,
    });
    expect(res.statusCode, res.body).toBe(201);
    return { user, subject, tenant: t };
  };
  return { msp, customer, mspAdmin, custAdmin, conn, link };
}

/** Signs in through the connection as `subject` into `t`; returns the session cookie. */
async function ssoSignIn(conn: Conn, t: Tenant, subject: string): Promise<string> {
  op.loginAs(subject, {});
  const b = new Browser(kit.app);
  const res = await b.signIn(`/api/v1/auth/sso/${conn.id}/start?tenant=${t.slug}`);
  expect(res.statusCode, res.body).toBe(303);
  return b.kontor.get('kontor_session') ?? '';
}

async function passwordSignIn(t: Tenant, login: string): Promise<string> {
  const res = await kit.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { tenant: t.slug, username: login, password: TEST_PASSWORD },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.cookies.find((c) => c.name === 'kontor_session')?.value ?? '';
}

describe('sessions follow their SSO source', () => {
  it('removing a link ends the sessions it opened, and only those', async () => {
    const s = await scene();
    const a = await s.link(s.custAdmin, s.customer);
    const b = await s.link(s.custAdmin, s.customer);
    const viaLink = await ssoSignIn(s.conn, s.customer, a.subject);
    const otherUser = await ssoSignIn(s.conn, s.customer, b.subject);
    const viaPassword = await passwordSignIn(s.customer, a.user.loginName);
    expect(await status(viaLink)).toBe(200);
    const res = await s.custAdmin.call(
      'DELETE',
      `/api/v1/tenants/${s.customer.id}/users/${a.user.id}/sso-links/${s.conn.id}`,
    );
    expect(res.statusCode, res.body).toBe(204);
    expect(await status(viaLink)).toBe(401);
    expect(await status(otherUser)).toBe(200);
    // The password never came from the link: that session stays.
    expect(await status(viaPassword)).toBe(200);
  });

  it('withdrawing the enablement ends the tenant’s sessions through it, not the owner’s', async () => {
    const s = await scene();
    const there = await s.link(s.custAdmin, s.customer);
    const home = await s.link(s.mspAdmin, s.msp);
    const customerSession = await ssoSignIn(s.conn, s.customer, there.subject);
    const ownerSession = await ssoSignIn(s.conn, s.msp, home.subject);
    const res = await s.custAdmin.call(
      'DELETE',
      `/api/v1/tenants/${s.customer.id}/sso-connections/${s.conn.id}/enablement`,
    );
    expect(res.statusCode, res.body).toBe(204);
    expect(await status(customerSession)).toBe(401);
    expect(await status(ownerSession)).toBe(200);
  });

  it('disabling or deleting the connection ends every session opened through it', async () => {
    for (const how of ['disable', 'delete'] as const) {
      const s = await scene();
      const there = await s.link(s.custAdmin, s.customer);
      const home = await s.link(s.mspAdmin, s.msp);
      const sessions = [
        await ssoSignIn(s.conn, s.customer, there.subject),
        await ssoSignIn(s.conn, s.msp, home.subject),
      ];
      const url = `/api/v1/tenants/${s.msp.id}/sso-connections/${s.conn.id}`;
      const res =
        how === 'disable'
          ? await s.mspAdmin.call('PATCH', url, { enabled: false })
          : await s.mspAdmin.call('DELETE', url);
      expect(res.statusCode, res.body).toBeLessThan(300);
      for (const cookie of sessions) expect(await status(cookie), how).toBe(401);
      // The admins' own password sessions are untouched.
      expect((await s.mspAdmin.call('GET', '/api/v1/me')).statusCode).toBe(200);
      if (how === 'delete') expect(await actions(s.customer.id)).toContain('sso.enablement.voided');
    }
  });
});

describe('an enablement is consent to the connection’s terms', () => {
  it('a change of who gets in as whom voids it, tells the tenant and ends its sessions', async () => {
    const s = await scene();
    const there = await s.link(s.custAdmin, s.customer);
    const session = await ssoSignIn(s.conn, s.customer, there.subject);
    // The attack of issue 20 #3: the owner turns the offered connection into JIT with roles.
    const url = `/api/v1/tenants/${s.msp.id}/sso-connections/${s.conn.id}`;
    const res = await s.mspAdmin.call('PATCH', url, { linkPolicy: 'jit', jitRoles: ['CustomerBasic'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(await status(session)).toBe(401);
    const events = await kit.k.deps.store.read((r) =>
      r.audit.list(s.customer.id, { action: 'sso.enablement.voided', limit: 10 }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({
      ownerTenantId: s.msp.id,
      reason: 'terms_changed',
      changed: ['linkPolicy', 'jitRoles'],
      sessionsEnded: 1,
    });
    // A stranger of the IdP gets no user in the customer: the connection is not usable there.
    const options = await kit.app.inject({ method: 'GET', url: `/api/v1/auth/sso/options?tenant=${s.customer.slug}` });
    expect(options.json().items).toEqual([]);
    op.loginAs(`stranger-${++n}`, {});
    const start = await new Browser(kit.app).kontorGet(`/api/v1/auth/sso/${s.conn.id}/start?tenant=${s.customer.slug}`);
    expect(start.statusCode).not.toBe(302);
    // Opting in again, under the new terms, works.
    const again = await s.custAdmin.call(
      'PUT',
      `/api/v1/tenants/${s.customer.id}/sso-connections/${s.conn.id}/enablement`,
    );
    expect(again.statusCode).toBe(204);
    expect((await ssoSignIn(s.conn, s.customer, there.subject)).length).toBeGreaterThan(0);
  });

  it('a change that decides nothing about who gets in keeps it', async () => {
    const s = await scene();
    const there = await s.link(s.custAdmin, s.customer);
    const session = await ssoSignIn(s.conn, s.customer, there.subject);
    const url = `/api/v1/tenants/${s.msp.id}/sso-connections/${s.conn.id}`;
    // A new name, and the link policy sent with its current value.
    const res = await s.mspAdmin.call('PATCH', url, { name: 'Renamed IdP', linkPolicy: 'manual' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await status(session)).toBe(200);
    expect(await actions(s.customer.id)).not.toContain('sso.enablement.voided');
  });
});

// Two processes' worth of Kontor on one PostgreSQL schema, each with its own principal cache.
describe.runIf(process.env.DATABASE_URL)('on a second instance', () => {
  let b: Kontor;
  let appB: FastifyInstance;
  beforeAll(async () => {
    b = await createKontor(kit.k.config);
    appB = await createHttpApp(b, { logger: false, ssoAllowInsecureHttp: true });
  });
  afterAll(async () => {
    await appB?.close();
    await b?.close();
  });
  const onB = async (cookie: string) =>
    (await appB.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } })).statusCode;

  it('refuses a session on the very next request once its link, enablement or connection went on the first', async () => {
    for (const how of ['unlink', 'withdraw', 'disable', 'terms'] as const) {
      const s = await scene();
      const there = await s.link(s.custAdmin, s.customer);
      const session = await ssoSignIn(s.conn, s.customer, there.subject);
      expect(await onB(session), how).toBe(200); // B has it cached now
      const conn = `/api/v1/tenants/${s.msp.id}/sso-connections/${s.conn.id}`;
      const res =
        how === 'unlink'
          ? await s.custAdmin.call(
              'DELETE',
              `/api/v1/tenants/${s.customer.id}/users/${there.user.id}/sso-links/${s.conn.id}`,
            )
          : how === 'withdraw'
            ? await s.custAdmin.call(
                'DELETE',
                `/api/v1/tenants/${s.customer.id}/sso-connections/${s.conn.id}/enablement`,
              )
            : how === 'disable'
              ? await s.mspAdmin.call('PATCH', conn, { enabled: false })
              : await s.mspAdmin.call('PATCH', conn, { vouchedDomains: ['other.example'] });
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(await onB(session), how).toBe(401);
    }
  });
});
