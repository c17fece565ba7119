import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../../src/app/oidc/signing-keys.js';
import type { User } from '../../../src/domain/user.js';
import { nodeKeyMaker } from '../../../src/oidc/keys.js';
import { authorize, Browser, type OpKit, opKit, type RegisteredApp, redeem } from './op-kit.js';

const form = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
});

describe('OP protocol checks', () => {
  let kit: OpKit;
  let user: User;
  let n = 0;
  beforeAll(async () => {
    kit = await opKit();
    user = await kit.k.aUserIn(kit.k.root, ['CustomerBasic'], {
      login: 'ada',
      password: 'correct horse battery staple',
    });
  });
  afterAll(async () => kit?.close());

  const signedIn = async (login = 'ada') => {
    const b = new Browser(kit.op.base);
    await b.signIn(kit.k.root, login);
    return b;
  };

  const tokensFor = async (a: RegisteredApp, b?: Browser) => {
    const config = await kit.rp(a);
    const r = await authorize(config, a, b ?? (await signedIn()));
    return { config, tokens: await redeem(config, r), r };
  };

  it('refuses a redirect URI that differs by port, path or a trailing slash, without redirecting', async () => {
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const u = new URL(a.redirectUri);
    const others = [`http://127.0.0.1:${Number(u.port) + 1}${u.pathname}`, `${u.origin}/other`, `${a.redirectUri}/`];
    const b = await signedIn();
    for (const redirect of others) {
      const r = await authorize(config, { ...a, redirectUri: redirect }, b);
      expect(r.res?.status, redirect).toBe(400);
      expect(await r.res?.text()).toMatch(/redirect_uri/);
    }
  });

  it('requires PKCE of a public client', async () => {
    const a = await kit.anApp({ kind: 'public', authMethod: 'none', secretHash: null });
    const config = await kit.rp(a);
    const url = client.buildAuthorizationUrl(config, { redirect_uri: a.redirectUri, scope: 'openid', state: 's' });
    const res = await (await signedIn()).fetch(url.href);
    const loc = new URL(res.headers.get('location') as string);
    expect(loc.href.startsWith(a.redirectUri)).toBe(true);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toMatch(/PKCE/);
    // With PKCE the same public app gets tokens.
    const { tokens } = await tokensFor(a);
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('refuses a code used twice and revokes what the first use issued', async () => {
    const a = await kit.anApp();
    const { config, tokens, r } = await tokensFor(a);
    await expect(redeem(config, r)).rejects.toMatchObject({ error: 'invalid_grant' });
    const intro = await client.tokenIntrospection(config, tokens.refresh_token as string);
    expect(intro.active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("keeps app A's tokens from app B: its ID token's audience, its code and its refresh token", async () => {
    const a = await kit.anApp();
    const bApp = await kit.anApp();
    const { tokens, r } = await tokensFor(a);
    expect(tokens.claims()?.aud).toBe(a.app.id);
    const configB = await kit.rp({ ...bApp, redirectUri: a.redirectUri });
    await expect(client.refreshTokenGrant(configB, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(redeem(configB, r)).rejects.toThrow();
  });

  it('rotates refresh tokens and ends the grant when a rotated one is used again', async () => {
    const a = await kit.anApp();
    const { config, tokens } = await tokensFor(a);
    const second = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    // Reuse of the first: refused, and the whole grant ends (the thief and the app both lose it).
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, second.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("refuses a locked user's refresh, and introspection answers inactive at once", async () => {
    const login = `lock-${++n}`;
    const u = await kit.k.aUserIn(kit.k.root, ['CustomerBasic'], { login, password: 'correct horse battery staple' });
    const a = await kit.anApp();
    const { config, tokens } = await tokensFor(a, await signedIn(login));
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await kit.k.deps.store.transaction((r) => r.users.update(kit.k.root.id, u.id, { state: 'locked' }, new Date()));
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(config, tokens.refresh_token as string)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('issues client-credentials JWT access tokens an API verifies offline; revocation ends opaque ones', async () => {
    const a = await kit.anApp({ grantTypes: ['client_credentials'], scopes: ['kontor.permissions'] });
    const config = await kit.rp(a);
    const t = await client.clientCredentialsGrant(config, { scope: 'kontor.permissions' });
    const jwks = createRemoteJWKSet(new URL(`${kit.op.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(t.access_token, jwks, {
      issuer: kit.op.issuer,
      audience: kit.op.issuer,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.client_id).toBe(a.app.id);
    expect(payload.exp! - payload.iat!).toBe(300);

    const b = await kit.anApp();
    const { config: cb, tokens } = await tokensFor(b);
    expect((await client.tokenIntrospection(cb, tokens.access_token)).active).toBe(true);
    await client.tokenRevocation(cb, tokens.access_token);
    expect((await client.tokenIntrospection(cb, tokens.access_token)).active).toBe(false);
  });

  it('refuses a wrong client secret', async () => {
    const a = await kit.anApp({ grantTypes: ['client_credentials'], scopes: [], authMethod: 'client_secret_post' });
    const token = (secret: string) =>
      fetch(
        `${kit.op.issuer}/token`,
        form({ grant_type: 'client_credentials', client_id: a.app.id, client_secret: secret }),
      );
    expect((await token(a.secret as string)).status).toBe(200);
    const wrong = await token('not-the-secret');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    // The stored hash is no secret: presenting it fails too.
    expect((await token(a.app.secretHash as string)).status).toBe(401);
  });

  it('keeps a retired key published for its overlap, then its tokens no longer verify', async () => {
    const a = await kit.anApp({ grantTypes: ['client_credentials'], scopes: [], authMethod: 'client_secret_post' });
    const config = await kit.rp(a);
    const old = await client.clientCredentialsGrant(config);
    const deps = { store: kit.k.deps.store, clock: kit.k.deps.clock, keys: nodeKeyMaker, box: kit.op.oidc.box };
    // Rotate with an overlap: the old token still verifies, a new one is signed by the new key.
    await rotateSigningKeys(deps, 3600);
    expect(await kit.op.oidc.service.reloadKeys()).toBe(true);
    const verify = (jwt: string) =>
      jwtVerify(jwt, createRemoteJWKSet(new URL(`${kit.op.issuer}/jwks`)), { issuer: kit.op.issuer });
    await expect(verify(old.access_token)).resolves.toBeTruthy();
    const fresh = await client.clientCredentialsGrant(config);
    expect(jwtHeaderKid(fresh.access_token)).not.toBe(jwtHeaderKid(old.access_token));
    // The overlap ends (as if its tokens had all expired): the old key leaves the JWKS.
    await kit.k.db.kysely
      .updateTable('oidc_keys')
      .set({ publish_until: new Date(0) })
      .where('retired_at', 'is not', null)
      .execute();
    await kit.op.oidc.service.reloadKeys();
    await expect(verify(old.access_token)).rejects.toThrow();
    await expect(verify(fresh.access_token)).resolves.toBeTruthy();
    const audit = await kit.k.db.kysely
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'oidc.key_rotated')
      .execute();
    expect(audit).toHaveLength(1);
  });
});

const jwtHeaderKid = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString()) as { kid: string }).kid;
