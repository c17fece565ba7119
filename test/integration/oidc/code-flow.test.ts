import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, Browser, type OpKit, opKit, redeem } from './op-kit.js';

describe('OP authorization code flow', () => {
  let kit: OpKit;
  beforeAll(async () => {
    kit = await opKit();
  });
  afterAll(async () => kit?.close());

  it('signs a Kontor user in: sub is the user id, claims name the acting tenant, state and nonce hold', async () => {
    const a = await kit.anApp();
    const config = await kit.rp(a);
    const user = await kit.k.aUserIn(kit.k.root, ['CustomerBasic'], {
      login: 'ada',
      password: 'correct horse battery staple',
    });
    const b = new Browser(kit.op.base);
    // Not signed in: the OP sends the browser to the console's sign-in with a return path.
    const first = await authorize(config, a, b);
    expect(first.res?.status).toBe(200);
    expect(first.url).toMatch(/\/\?return=%2Foidc%2Finteraction%2F/);
    await b.signIn(kit.k.root, 'ada');
    const back = decodeURIComponent(new URL(first.url).searchParams.get('return') as string);
    const done = await b.follow(new URL(back, kit.op.base).href, a.redirectUri);
    expect(done.url.startsWith(a.redirectUri)).toBe(true);
    const tokens = await redeem(config, { ...first, url: done.url });
    const claims = tokens.claims();
    expect(claims?.sub).toBe(user.id);
    expect(claims?.nonce).toBe(first.nonce);
    expect(claims?.tenant).toEqual({ id: kit.k.root.id, slug: kit.k.root.slug, kind: 'provider' });
    expect(claims?.roles).toEqual(['CustomerBasic']);
    expect(claims).not.toHaveProperty('email');
    expect(tokens.refresh_token).toBeTruthy();
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(info.tenant).toEqual(claims?.tenant);
  });
});
