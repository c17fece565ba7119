import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SsoConnection } from '../../../src/domain/sso.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { nodeTokenCrypto } from '../../../src/storage/auth-store.js';
import { ssoStore } from '../../../src/storage/sso-store.js';
import { authorize, Browser, type OpKit, opKit, redeem } from './op-kit.js';

// An MSP technician signed in through the MSP's SSO connection acts in a customer tenant as the
// user linked to the same identity there (decisions 0005, 0013): the OP names her home tenant
// and switches into the customer silently, as Kontor's own switch does (issue 15 #4).
describe('OP tenants reached through an SSO identity link', () => {
  let kit: OpKit;
  let msp: Tenant;
  let customer: Tenant;
  let other: Tenant;
  let conn: SsoConnection;
  const ISSUER = 'https://idp.msp.example';
  let n = 0;

  beforeAll(async () => {
    kit = await opKit();
    msp = await kit.k.aTenant(kit.k.root, 'reseller', 'link-msp');
    customer = await kit.k.aTenant(msp, 'consumer', 'link-bakery');
    other = await kit.k.aTenant(msp, 'consumer', 'link-dental');
    const now = new Date();
    conn = {
      id: randomUUID(),
      tenantId: msp.id,
      name: 'MSP IdP',
      issuer: ISSUER,
      clientId: 'kontor',
      hasClientSecret: false,
      scopes: ['openid'],
      idTokenAlgs: ['RS256'],
      claimMapping: { subject: ['sub'], email: 'email', name: 'name' },
      vouchedDomains: [],
      enabled: true,
      linkPolicy: 'manual',
      jitRoles: [],
      offeredToSubtree: true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await sso().transaction(async (r) => {
      await r.sso.insertConnection({ ...conn, clientSecretEnc: null });
      await r.sso.enable(customer.id, conn.id, now);
    });
  });
  afterAll(async () => kit?.close());

  const sso = () => ssoStore(kit.k.db.kysely);

  /** A technician with users in the MSP and the customer linked to one identity, signed in at the MSP through SSO. */
  async function technician(): Promise<{ b: Browser; home: User; linked: User; subject: string }> {
    const login = `tech-${++n}`;
    const subject = `kc-${login}`;
    const home = await kit.k.aUserIn(msp, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
    const linked = await kit.k.aUserIn(customer, ['CustomerBasic', 'Marketing']);
    const now = new Date();
    await sso().transaction(async (r) => {
      for (const u of [home, linked]) {
        await r.sso.insertLink({
          tenantId: u.tenantId,
          userId: u.id,
          connectionId: conn.id,
          issuer: ISSUER,
          subject,
          createdAt: now,
          createdBy: `admin:${kit.k.rootAdmin.id}`,
        });
      }
    });
    const b = new Browser(kit.op.base);
    await b.signIn(msp, login);
    // As the SSO callback does: the session remembers the identity it was opened with.
    const sessionId = b.jar.get('kontor_session') as string;
    await sso().transaction((r) =>
      r.sso.rememberSessionIdentity(nodeTokenCrypto.hash(sessionId), {
        connectionId: conn.id,
        issuer: ISSUER,
        subject,
      }),
    );
    return { b, home, linked, subject };
  }

  it('names the home tenant when she acts in the customer as the linked user', async () => {
    const { b, linked } = await technician();
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const tokens = await redeem(config, await authorize(config, a, b, { tenant: customer.slug }));
    expect(tokens.claims()).toMatchObject({
      sub: linked.id,
      tenant: { id: customer.id, slug: customer.slug, kind: 'consumer' },
      home_tenant: { id: msp.id, slug: msp.slug },
      roles: ['CustomerBasic', 'Marketing'],
    });
    // The claims stay so on refresh and at userinfo.
    const again = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(again.claims()?.home_tenant).toEqual({ id: msp.id, slug: msp.slug });
  });

  it('switches silently with prompt=none into the linked customer and back, with refresh tokens', async () => {
    const { b, home, linked } = await technician();
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const atHome = await redeem(config, await authorize(config, a, b, { tenant: msp.slug }));
    expect(atHome.claims()?.sub).toBe(home.id);
    expect(atHome.claims()).not.toHaveProperty('home_tenant');

    const silent = await authorize(config, a, b, { tenant: customer.slug, prompt: 'none' });
    expect(silent.url.startsWith(a.redirectUri), silent.url).toBe(true);
    const there = await redeem(config, silent);
    expect(there.claims()).toMatchObject({
      sub: linked.id,
      tenant: { id: customer.id },
      home_tenant: { id: msp.id, slug: msp.slug },
    });
    // Like a normal sign-in: the app allowed offline_access gets a refresh token.
    expect(there.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, there.refresh_token as string);
    expect(refreshed.claims()?.tenant).toMatchObject({ id: customer.id });

    const back = await redeem(config, await authorize(config, a, b, { tenant: msp.slug, prompt: 'none' }));
    expect(back.claims()?.sub).toBe(home.id);
    expect(back.claims()).not.toHaveProperty('home_tenant');
    expect(back.refresh_token).toBeTruthy();
  });

  it('lets a second app into the linked customer without ending the first app’s session', async () => {
    const { b, linked } = await technician();
    const first = await kit.anApp();
    const c1 = await kit.rp(first);
    const atHome = await redeem(c1, await authorize(c1, first, b, { tenant: msp.slug }));
    const second = await kit.anApp();
    const c2 = await kit.rp(second);
    // Interactive (no grant of this app yet): straight back with a code, no sign-out form between.
    const r = await authorize(c2, second, b, { tenant: customer.slug });
    expect(r.url.startsWith(second.redirectUri), r.url).toBe(true);
    const there = await redeem(c2, r);
    expect(there.claims()).toMatchObject({ sub: linked.id, home_tenant: { id: msp.id } });
    // The OP session (the first app's sid) lives on: the first app switches back silently.
    const back = await redeem(c1, await authorize(c1, first, b, { tenant: msp.slug, prompt: 'none' }));
    expect(back.claims()?.sid).toBe(atHome.claims()?.sid);
  });

  it('still sends the first app a back-channel logout when the home user is locked after the switch', async () => {
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as { port: number }).port;
      const { b, home } = await technician();
      const first = await kit.anApp({ backchannelLogoutUri: `http://127.0.0.1:${port}/logout` });
      const c1 = await kit.rp(first);
      const atHome = await redeem(c1, await authorize(c1, first, b, { tenant: msp.slug }));
      const second = await kit.anApp();
      const c2 = await kit.rp(second);
      await redeem(c2, await authorize(c2, second, b, { tenant: customer.slug }));
      await kit.k.deps.store.transaction((r) => r.users.update(msp.id, home.id, { state: 'locked' }, new Date()));
      expect(await kit.op.oidc.logout.flush()).toBe(1);
      const { payload } = await jwtVerify(received[0] as string, createRemoteJWKSet(new URL(`${kit.op.issuer}/jwks`)), {
        issuer: kit.op.issuer,
        audience: first.app.id,
      });
      expect(payload.sub).toBe(home.id);
      expect(payload.sid).toBe(atHome.claims()?.sid);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it('gives someone else signed in to Kontor in the same browser the sign-in, not the previous grant', async () => {
    const { b } = await technician();
    const a = await kit.anApp();
    const config = await kit.rp(a);
    await redeem(config, await authorize(config, a, b, { tenant: msp.slug }));
    // Another person signs in to Kontor in this browser (her user may act in the customer).
    const login = `clerk-${++n}`;
    await kit.k.aUserIn(customer, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
    await b.signIn(customer, login);
    const silent = await authorize(config, a, b, { tenant: customer.slug, prompt: 'none' });
    const params = new URL(silent.url).searchParams;
    expect(params.get('code')).toBeNull();
    expect(params.get('error')).toBe('login_required');
  });

  it('never switches into a tenant with no user, link or share, and the link’s end ends the grant', async () => {
    const { b, linked } = await technician();
    const a = await kit.anApp();
    const config = await kit.rp(a);
    await redeem(config, await authorize(config, a, b, { tenant: msp.slug }));
    const refused = await authorize(config, a, b, { tenant: other.slug, prompt: 'none' });
    const params = new URL(refused.url).searchParams;
    expect(params.get('code')).toBeNull();
    expect(params.get('error')).toMatch(/required/);

    const there = await redeem(config, await authorize(config, a, b, { tenant: customer.slug, prompt: 'none' }));
    expect(there.claims()?.sub).toBe(linked.id);
    await sso().transaction((r) => r.sso.deleteLink(customer.id, linked.id, conn.id));
    await expect(client.refreshTokenGrant(config, there.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const again = await authorize(config, a, b, { tenant: customer.slug, prompt: 'none' });
    expect(new URL(again.url).searchParams.get('code')).toBeNull();
  });
});
