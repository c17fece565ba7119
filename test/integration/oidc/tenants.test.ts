import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { authorize, Browser, type OpKit, opKit, redeem } from './op-kit.js';

describe('OP tenants: choice, silent switch, refusals, revocation reaching the apps', () => {
  let kit: OpKit;
  let reseller: Tenant;
  let customer: Tenant;
  let other: Tenant;
  let tech: User;
  let n = 0;
  beforeAll(async () => {
    kit = await opKit();
    reseller = await kit.k.aTenant(kit.k.root, 'reseller', 'msp');
    customer = await kit.k.aTenant(reseller, 'consumer', 'acme');
    other = await kit.k.aTenant(reseller, 'consumer', 'globex');
    tech = await kit.k.aUserIn(reseller, ['CustomerBasic'], {
      login: 'tech',
      password: 'correct horse battery staple',
    });
    await kit.k.anAcceptedShare(tech, customer);
  });
  afterAll(async () => kit?.close());

  const signedIn = async (t: Tenant = reseller, login = 'tech') => {
    const b = new Browser(kit.op.base);
    await b.signIn(t, login);
    return b;
  };

  it('issues tokens for a shared tenant with home_tenant, and switches silently with prompt=none', async () => {
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = await signedIn();
    const first = await redeem(config, await authorize(config, a, b, { tenant: 'acme' }));
    expect(first.claims()).toMatchObject({
      sub: tech.id,
      tenant: { id: customer.id, slug: 'acme', kind: 'consumer' },
      home_tenant: { id: reseller.id, slug: 'msp' },
    });
    // Another tenant, no interaction at all: the code comes straight back.
    const silent = await authorize(config, a, b, { tenant: 'msp', prompt: 'none', scope: 'openid kontor.tenant' });
    expect(silent.url.startsWith(a.redirectUri)).toBe(true);
    const second = await redeem(config, silent);
    expect(second.claims()?.tenant).toMatchObject({ slug: 'msp' });
    // prompt=none drops offline_access from the request (OIDC Core §11); the switch continues
    // the grant that had it, so the app keeps getting refresh tokens.
    expect(second.refresh_token).toBeTruthy();
    expect(second.claims()).not.toHaveProperty('home_tenant');
    // login_hint works the same way.
    const hinted = await redeem(
      config,
      await authorize(config, a, b, { login_hint: 'tech@acme', prompt: 'none', scope: 'openid kontor.tenant' }),
    );
    expect(hinted.claims()?.tenant).toMatchObject({ slug: 'acme' });
  });

  it('never issues for an unknown tenant or one without access: prompt=none errs, a person sees a page', async () => {
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = await signedIn();
    await redeem(config, await authorize(config, a, b, { tenant: 'acme' }));
    for (const tenant of [other.slug, 'no-such-tenant']) {
      const silent = await authorize(config, a, b, { tenant, prompt: 'none', scope: 'openid' });
      const params = new URL(silent.url).searchParams;
      expect(params.get('code'), tenant).toBeNull();
      expect(params.get('error'), tenant).toMatch(/required/);
      const page = await authorize(config, a, b, { tenant });
      expect(page.res?.status, tenant).toBe(403);
      expect(page.res?.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.res?.text()).toMatch(/may not act for this tenant/);
    }
  });

  it('lets the person choose among her tenants, and asks consent for a third-party app', async () => {
    const a = await kit.anApp({ firstParty: false });
    const config = await kit.rp(a);
    const b = await signedIn();
    const r = await authorize(config, a, b);
    expect(r.res?.status).toBe(200); // the console's chooser page
    const uid = new URL(r.url).searchParams.get('uid') as string;
    expect(new URL(r.url).pathname).toBe('/oidc-choose');
    const api = (method: string, path: string, body?: unknown) =>
      b.fetch(`/api/v1/oidc/interactions/${uid}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const view = (await (await api('GET', '')).json()) as {
      tenants: { slug: string; id: string }[];
      needsConsent: boolean;
    };
    expect(view.tenants.map((t) => t.slug).sort()).toEqual(['acme', 'msp']);
    expect(view.needsConsent).toBe(true);
    // Another browser (no binding cookie) cannot use the interaction.
    const stranger = await signedIn();
    const stolen = await stranger.fetch(`/api/v1/oidc/interactions/${uid}`);
    expect(stolen.status).toBe(404);
    const chosen = (await (await api('POST', '/tenant', { tenantId: customer.id })).json()) as { redirectTo: string };
    expect(chosen.redirectTo).toBe(`/oidc-consent?uid=${uid}`);
    const approved = (await (await api('POST', '/consent', { approve: true })).json()) as { redirectTo: string };
    const done = await b.follow(new URL(approved.redirectTo, kit.op.base).href, a.redirectUri);
    const tokens = await redeem(config, { ...r, url: done.url });
    expect(tokens.claims()?.tenant).toMatchObject({ slug: 'acme' });
  });

  it('asks a third-party app’s consent again for another tenant: prompt=none does not carry it over', async () => {
    const a = await kit.anApp({ firstParty: false });
    const config = await kit.rp(a);
    const b = await signedIn();
    const r = await authorize(config, a, b, { tenant: 'acme' });
    const uid = new URL(r.url).searchParams.get('uid') as string;
    const api = (method: string, path: string, body?: unknown) =>
      b.fetch(`/api/v1/oidc/interactions/${uid}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    let next = (await (await api('GET', '')).json()) as { needsConsent?: boolean };
    if (new URL(r.url).pathname === '/oidc-choose') {
      await api('POST', '/tenant', { tenantId: customer.id });
      next = { needsConsent: true };
    }
    expect(next.needsConsent).toBe(true);
    const approved = (await (await api('POST', '/consent', { approve: true })).json()) as { redirectTo: string };
    const done = await b.follow(new URL(approved.redirectTo, kit.op.base).href, a.redirectUri);
    expect((await redeem(config, { ...r, url: done.url })).claims()?.tenant).toMatchObject({ slug: 'acme' });
    // The same tenant again: silent, consent given.
    const again = await authorize(config, a, b, { tenant: 'acme', prompt: 'none', scope: 'openid kontor.tenant' });
    expect(again.url.startsWith(a.redirectUri)).toBe(true);
    expect(new URL(again.url).searchParams.get('code')).toBeTruthy();
    // Another tenant the person may act in: no code without her consent to it.
    const silent = await authorize(config, a, b, { tenant: 'msp', prompt: 'none', scope: 'openid kontor.tenant' });
    expect(new URL(silent.url).searchParams.get('code')).toBeNull();
    expect(new URL(silent.url).searchParams.get('error')).toMatch(
      /consent_required|interaction_required|login_required/,
    );
  });

  it('ends the grants of a tenant when the share ends; the home tenant keeps its own', async () => {
    const login = `tech-${++n}`;
    const u = await kit.k.aUserIn(reseller, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
    await kit.k.anAcceptedShare(u, customer);
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = await signedIn(reseller, login);
    const atCustomer = await redeem(config, await authorize(config, a, b, { tenant: 'acme' }));
    const atHome = await redeem(config, await authorize(config, a, b, { tenant: 'msp' }));
    const share = await kit.k.db.kysely
      .selectFrom('shares')
      .select('id')
      .where('user_id', '=', u.id)
      .executeTakeFirstOrThrow();
    await kit.k.deps.store.transaction((r) => r.shares.end(share.id, kit.k.rootAdmin.id, new Date()));
    await expect(client.refreshTokenGrant(config, atCustomer.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await client.tokenIntrospection(config, atCustomer.access_token)).active).toBe(false);
    const again = await client.refreshTokenGrant(config, atHome.refresh_token as string);
    expect(again.access_token).toBeTruthy();
  });

  it('follows the Kontor session: signed out of Kontor, prompt=none answers login_required', async () => {
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = await signedIn();
    await redeem(config, await authorize(config, a, b, { tenant: 'msp' }));
    const out = await b.fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': b.csrf } });
    expect(out.status).toBeLessThan(300);
    const silent = await authorize(config, a, b, { tenant: 'msp', prompt: 'none', scope: 'openid' });
    expect(new URL(silent.url).searchParams.get('error')).toBe('login_required');
  });

  it('sends a back-channel logout to the app when the user is locked', async () => {
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
    const port = (server.address() as { port: number }).port;
    try {
      const login = `bcl-${++n}`;
      const u = await kit.k.aUserIn(reseller, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
      const a = await kit.anApp({ backchannelLogoutUri: `http://127.0.0.1:${port}/logout` });
      const config = await kit.rp(a);
      const tokens = await redeem(config, await authorize(config, a, await signedIn(reseller, login)));
      const sid = tokens.claims()?.sid;
      expect(sid).toBeTruthy();
      await kit.k.deps.store.transaction((r) => r.users.update(reseller.id, u.id, { state: 'locked' }, new Date()));
      expect(await kit.op.oidc.logout.flush()).toBe(1);
      expect(received).toHaveLength(1);
      const { payload } = await jwtVerify(received[0] as string, createRemoteJWKSet(new URL(`${kit.op.issuer}/jwks`)), {
        issuer: kit.op.issuer,
        audience: a.app.id,
      });
      expect(payload.sub).toBe(u.id);
      expect(payload.sid).toBe(sid);
      expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it("ends the apps' grants when a role is removed or the tenant is suspended", async () => {
    const tenant = await kit.k.aTenant(reseller, 'consumer');
    const login = `roles-${++n}`;
    const u = await kit.k.aUserIn(tenant, ['CustomerBasic', 'Marketing'], {
      login,
      password: 'correct horse battery staple',
    });
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const b = await signedIn(tenant, login);
    const before = await redeem(config, await authorize(config, a, b));
    expect(before.claims()?.roles).toEqual(['CustomerBasic', 'Marketing']);
    await kit.k.deps.store.transaction((r) =>
      r.roles.setUserRoles(tenant.id, u.id, ['CustomerBasic'], null, new Date()),
    );
    expect((await client.tokenIntrospection(config, before.access_token)).active).toBe(false);
    // The Kontor session still lives: a silent sign-in gets tokens that say what holds now.
    const after = await redeem(
      config,
      await authorize(config, a, b, { prompt: 'none', scope: 'openid kontor.tenant' }),
    );
    expect(after.claims()?.roles).toEqual(['CustomerBasic']);
    await kit.k.deps.store.transaction((r) => r.tenants.update(tenant.id, { status: 'suspended' }));
    expect((await client.tokenIntrospection(config, after.access_token)).active).toBe(false);
    const silent = await authorize(config, a, b, { prompt: 'none', scope: 'openid' });
    expect(new URL(silent.url).searchParams.get('code')).toBeNull();
  });
});
