import { generateKeyPairSync } from 'node:crypto';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { authorize, Browser, type OpKit, opKit, type RegisteredApp } from './op-kit.js';

// Kontor's decision API accepts access tokens of its own OP with scope kontor.decisions
// (decision 0016): verified offline against the OP's keys, then live against the app and grant.
describe('OP access tokens at /check', () => {
  let kit: OpKit;
  let reseller: Tenant;
  let customer: Tenant;
  let sibling: Tenant;
  let buyer: User;
  let outsider: User;
  let n = 0;
  beforeAll(async () => {
    kit = await opKit();
    reseller = await kit.k.aTenant(kit.k.root, 'reseller', 'dec-msp');
    customer = await kit.k.aTenant(reseller, 'consumer', 'dec-acme');
    sibling = await kit.k.aTenant(kit.k.root, 'reseller', 'dec-other');
    buyer = await kit.k.aUserIn(customer, ['CustomerBasic']);
    outsider = await kit.k.aUserIn(sibling, ['CustomerBasic']);
  });
  afterAll(async () => kit?.close());

  /** A client-credentials app of the reseller, allowed the given scopes. */
  const machineApp = (scopes = ['kontor.decisions'], tenantId: string | null = reseller.id) =>
    kit.anApp({ tenantId, grantTypes: ['client_credentials'], scopes, redirectUris: [], firstParty: false });

  const machineToken = async (a: RegisteredApp, scope = 'kontor.decisions') =>
    (await client.clientCredentialsGrant(await kit.rp(a), scope ? { scope } : {})).access_token;

  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${kit.op.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const check = (token: string, q = { userId: buyer.id, tenantId: customer.id, permission: 'orders.read' }) =>
    call('/api/v1/check', token, q);

  /** Signs claims with the OP's own active ES256 key (to make tokens it would never issue). */
  async function signedByOp(change: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    const keys = await kit.k.deps.store.read((r) => r.oidcKeys.published(new Date()));
    const k = keys.find((x) => x.alg === 'ES256' && x.retiredAt === null);
    const jwk = JSON.parse(
      (kit.op.oidc.box as unknown as { open(s: string): string }).open(k?.privateJwkSealed as string),
    ) as JWK;
    const now = Math.floor(Date.now() / 1000);
    const a = await machineApp();
    return new SignJWT({
      iss: kit.op.issuer,
      aud: kit.op.issuer,
      sub: a.app.id,
      client_id: a.app.id,
      scope: 'kontor.decisions',
      jti: `j${++n}`,
      iat: now,
      exp: now + 300,
      ...change,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid as string, ...header })
      .sign(await importJWK(jwk, 'ES256'));
  }

  it('answers a client-credentials token with kontor.decisions for the app’s subtree', async () => {
    const token = await machineToken(await machineApp());
    const yes = await check(token);
    expect(yes.status).toBe(200);
    expect(await yes.json()).toEqual({ allowed: true });
    const no = await check(token, { userId: buyer.id, tenantId: customer.id, permission: 'users.create' });
    expect(await no.json()).toEqual({ allowed: false, reason: 'not_granted' });
    // Outside the app's tenant subtree: like an unknown tenant.
    const outside = await check(token, { userId: outsider.id, tenantId: sibling.id, permission: 'orders.read' });
    expect(await outside.json()).toEqual({ allowed: false, reason: 'no_access' });
    const batch = await call('/api/v1/check/batch', token, {
      queries: [
        { userId: buyer.id, tenantId: customer.id, permission: 'orders.read' },
        { userId: outsider.id, tenantId: sibling.id, permission: 'orders.read' },
      ],
    });
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as { results: unknown[] }).results).toEqual([
      { allowed: true },
      { allowed: false, reason: 'no_access' },
    ]);
  });

  it('answers an operator app for the whole installation', async () => {
    const token = await machineToken(await machineApp(['kontor.decisions'], null));
    const res = await check(token, { userId: outsider.id, tenantId: sibling.id, permission: 'orders.read' });
    expect(await res.json()).toEqual({ allowed: true });
  });

  it('refuses a token without the scope (403), and the scope is never granted to an app not allowed it', async () => {
    const a = await machineApp(['kontor.permissions']);
    const res = await check(await machineToken(a, 'kontor.permissions'));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('auth.insufficient_scope');
    await expect(machineToken(a, 'kontor.decisions')).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('refuses expired, wrong-audience, other-issuer, unsigned, tampered and foreign-key tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await signedByOp({});
    expect((await check(good)).status).toBe(200); // the helper makes acceptable tokens
    const [h, p] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as JWTPayload;
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as JWK;
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string };
    const bad: Record<string, string> = {
      expired: await signedByOp({ iat: now - 1000, exp: now - 600 }),
      'wrong aud': await signedByOp({ aud: 'https://api.elsewhere.example' }),
      'other issuer': await signedByOp({ iss: 'http://127.0.0.1:1/oidc' }),
      'not an access token': await signedByOp({}, { typ: 'JWT' }),
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`,
      tampered: `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'other', exp: now + 9999 })).toString('base64url')}.${good.split('.')[2]}`,
      'foreign key, same kid': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid })
        .sign(await importJWK(stranger, 'ES256')),
      'HS256 with the public key': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid })
        .sign(new TextEncoder().encode('x'.repeat(32))),
    };
    for (const [why, token] of Object.entries(bad)) {
      const res = await check(token);
      expect(res.status, why).toBe(401);
      expect(((await res.json()) as { code: string }).code, why).toBe('auth.unauthenticated');
    }
  });

  it('refuses the token of a removed or disabled app at once', async () => {
    const gone = await machineApp();
    const goneToken = await machineToken(gone);
    expect((await check(goneToken)).status).toBe(200);
    await kit.k.deps.store.transaction((r) => r.apps.delete(reseller.id, gone.app.id));
    expect((await check(goneToken)).status).toBe(401);

    const off = await machineApp();
    const offToken = await machineToken(off);
    await kit.k.deps.store.transaction((r) => r.apps.update(reseller.id, off.app.id, { enabled: false }, new Date()));
    expect((await check(offToken)).status).toBe(401);

    const withdrawn = await machineApp(['kontor.decisions', 'kontor.tenant']);
    const withdrawnToken = await machineToken(withdrawn);
    await kit.k.deps.store.transaction((r) =>
      r.apps.update(reseller.id, withdrawn.app.id, { scopes: ['kontor.tenant'] }, new Date()),
    );
    expect((await check(withdrawnToken)).status).toBe(401);
  });

  it('accepts the token on /check only: every other route that needs a caller answers 401', async () => {
    const token = await machineToken(await machineApp());
    const spec = (await (await fetch(`${kit.op.base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const id = '00000000-0000-4000-8000-000000000000';
    let swept = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      const url = path.replace(/\{[^}]+\}/g, id);
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
        const send = (auth?: string) =>
          fetch(`${kit.op.base}${url}`, {
            method,
            headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
            ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
          });
        if (url.startsWith('/api/v1/check')) continue;
        const anonymous = (await send()).status;
        if (anonymous !== 401) continue; // a public route: it takes no caller at all
        expect((await send(token)).status, `${method} ${path}`).toBe(401);
        swept++;
      }
    }
    expect(swept).toBeGreaterThan(50);
  });

  describe('a user’s OP access token', () => {
    const admin = async () => {
      const login = `dec-admin-${++n}`;
      const u = await kit.k.aUserIn(reseller, ['AdministrationAdvanced'], {
        login,
        password: 'correct horse battery staple',
      });
      return { u, login };
    };
    const userToken = async (login: string) => {
      const a = await kit.anApp({ scopes: ['openid', 'kontor.tenant', 'kontor.decisions'] });
      const config = await kit.rp(a);
      const b = new Browser(kit.op.base);
      await b.signIn(reseller, login);
      const r = await authorize(config, a, b, { scope: 'openid kontor.tenant kontor.decisions' });
      // resource=<issuer>: the JWT access token for Kontor's own API.
      const t = await client.authorizationCodeGrant(
        config,
        new URL(r.url),
        { pkceCodeVerifier: r.verifier, expectedState: r.state, expectedNonce: r.nonce },
        { resource: kit.op.issuer },
      );
      return { a, config, t };
    };

    it('acts as the user in the grant’s tenant, with her permissions, and stops when she is locked', async () => {
      const { u, login } = await admin();
      const { t } = await userToken(login);
      expect(t.access_token.split('.')).toHaveLength(3);
      const res = await check(t.access_token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ allowed: true });
      await kit.k.deps.store.transaction((r) => r.users.update(reseller.id, u.id, { state: 'locked' }, new Date()));
      expect((await check(t.access_token)).status).toBe(401);
    });

    it('needs decisions.read of the user, and a live grant', async () => {
      const login = `dec-clerk-${++n}`;
      await kit.k.aUserIn(reseller, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
      const clerk = await userToken(login);
      const res = await check(clerk.t.access_token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('grant.missing_permission');

      const { u, login: adminLogin } = await admin();
      const { t } = await userToken(adminLogin);
      expect((await check(t.access_token)).status).toBe(200);
      // The grant ends (as an ended share or a removed SSO link ends it): its tokens stop at once.
      await kit.k.deps.store.transaction((r) =>
        r.oidc.endGrants({ accountId: u.id, tenantId: reseller.id }, new Date()),
      );
      expect((await check(t.access_token)).status).toBe(401);
    });
  });
});
