import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';
import { authorize, Browser, type OpInstance, type OpKit, opKit, redeem, startInstance } from './op-kit.js';

// Two processes' worth of Kontor on one PostgreSQL schema behind one public address: the OP
// keeps nothing in memory that the other instance would need.
describe.runIf(process.env.DATABASE_URL)('OP on two instances', () => {
  let k: TestKontor;
  let kit: OpKit;
  let bKontor: Kontor;
  let b: OpInstance;
  const secretKey = randomBytes(32);
  beforeAll(async () => {
    k = await testKontor();
    const withKey = { ...k, config: { ...k.config, secretKey } } as TestKontor;
    kit = await opKit(withKey);
    bKontor = await createKontor({ ...k.config, secretKey });
    b = await startInstance(bKontor, { publicUrl: kit.op.issuer.replace(/\/oidc$/, ''), secretKey });
  });
  afterAll(async () => {
    await b?.close();
    await bKontor?.close();
    await kit?.close();
  });

  /** The app's calls go to instance B, whatever address the discovery names. */
  const viaB = async (a: Awaited<ReturnType<OpKit['anApp']>>) => {
    const config = await kit.rp(a);
    config[client.customFetch] = (url, options) => fetch(url.replace(kit.op.base, b.base), options as RequestInit);
    return config;
  };

  it('redeems on B a code issued on A, and B sees a lock made on A at its very next introspection', async () => {
    const u = await k.aUserIn(k.root, ['CustomerBasic'], { login: 'twin', password: 'correct horse battery staple' });
    const a = await kit.anApp();
    const browser = new Browser(kit.op.base);
    await browser.signIn(k.root, 'twin');
    const r = await authorize(await kit.rp(a), a, browser);
    const config = await viaB(a);
    const tokens = await redeem(config, r);
    expect(tokens.claims()?.sub).toBe(u.id);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await k.deps.store.transaction((x) => x.users.update(k.root.id, u.id, { state: 'locked' }, new Date()));
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('publishes the same keys on both instances', async () => {
    const jwks = async (base: string) =>
      (await (await fetch(`${base}/oidc/jwks`)).json()) as { keys: { kid: string }[] };
    expect((await jwks(b.base)).keys.map((x) => x.kid).sort()).toEqual(
      (await jwks(kit.op.base)).keys.map((x) => x.kid).sort(),
    );
  });
});
