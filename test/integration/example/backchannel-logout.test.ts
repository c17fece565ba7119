import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, field, type RunningShop, startShop } from './shop-kit.js';
import { type StandInOp, startStandInOp } from './stand-in-op.js';

// OpenID Connect Back-Channel Logout 1.0 at the example shop's POST /backchannel-logout.
let op: StandInOp;
let shop: RunningShop;
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const GRACE = 'usr_grace';
const LIN = 'usr_lin';
const tenant = { id: 'ten_1', slug: 'acme', kind: 'consumer', roles: [], permissions: [] };

beforeAll(async () => {
  op = await startStandInOp();
  for (const sub of [GRACE, LIN])
    op.addPerson(sub, { name: sub, email: `${sub}@x.example`, emailVerified: false, tenants: [tenant] });
  const secret = randomBytes(24).toString('base64url');
  shop = await startShop({ KONTOR_ISSUER: op.issuer, SHOP_CLIENT_ID: 'shop', SHOP_CLIENT_SECRET: secret });
  op.addClient({ clientId: 'shop', clientSecret: secret, baseUrl: shop.url });
});

afterAll(async () => {
  await shop?.stop();
  await op?.close();
});

/** A browser signed in to the shop as `sub`, with its Kontor session id. */
async function signedInAs(sub: string): Promise<{ browser: Browser; sid: string }> {
  op.loginAs(sub);
  const browser = new Browser();
  const page = await browser.get(`${shop.url}/login`);
  expect(field(page.body, 'sub')).toBe(sub);
  return { browser, sid: field(page.body, 'sid') ?? '' };
}

const isSignedIn = async (b: Browser) => !(await b.get(`${shop.url}/`)).body.includes('You are not signed in.');

async function deliver(logoutToken: string | undefined): Promise<number> {
  const body = new URLSearchParams(logoutToken === undefined ? {} : { logout_token: logoutToken });
  const res = await fetch(`${shop.url}/backchannel-logout`, { method: 'POST', body });
  return res.status;
}

/** A logout token signed with the stand-in OP's key (or another one), per the spec unless changed. */
async function logoutToken(
  change: { claims?: JWTPayload; drop?: string[]; typ?: string; key?: JWK } = {},
): Promise<string> {
  const claims: JWTPayload = {
    iss: op.issuer,
    aud: 'shop',
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(12).toString('base64url'),
    events: { [EVENT]: {} },
    sub: GRACE,
    ...change.claims,
  };
  for (const k of change.drop ?? []) delete claims[k];
  const key = await importJWK(change.key ?? op.signingKey, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: change.typ ?? 'logout+jwt' }).sign(key);
}

const strangerKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
} as JWK;
const unsecured = (claims: JWTPayload) =>
  `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

describe('back-channel logout at the example shop', () => {
  it('ends only the Kontor session the provider names (sid)', async () => {
    const a = await signedInAs(GRACE);
    const b = await signedInAs(GRACE);
    expect(a.sid).not.toBe(b.sid);
    await op.backchannelLogout('shop', GRACE, a.sid);
    expect(await isSignedIn(a.browser)).toBe(false);
    expect(await isSignedIn(b.browser)).toBe(true);
  });

  it('ends every session of the person when the token names only sub', async () => {
    const a = await signedInAs(GRACE);
    const b = await signedInAs(GRACE);
    const other = await signedInAs(LIN);
    expect(await deliver(await logoutToken())).toBe(200);
    expect(await isSignedIn(a.browser)).toBe(false);
    expect(await isSignedIn(b.browser)).toBe(false);
    expect(await isSignedIn(other.browser)).toBe(true);
  });

  it('answers 200 for a valid token about a session it does not have', async () => {
    expect(await deliver(await logoutToken({ claims: { sub: 'usr_nobody' } }))).toBe(200);
  });

  it('refuses tokens that break the rules, and ends nothing for them', async () => {
    const { browser } = await signedInAs(GRACE);
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      'no token': undefined,
      'a nonce (an ID token)': await logoutToken({ claims: { nonce: 'n' } }),
      'no events claim': await logoutToken({ drop: ['events'] }),
      'another event': await logoutToken({ claims: { events: { 'urn:other': {} } } }),
      'the event without an object': await logoutToken({ claims: { events: { [EVENT]: true } } }),
      'another audience': await logoutToken({ claims: { aud: 'other-app' } }),
      'another issuer': await logoutToken({ claims: { iss: 'http://127.0.0.1:1/oidc' } }),
      'neither sub nor sid': await logoutToken({ drop: ['sub'] }),
      'no jti': await logoutToken({ drop: ['jti'] }),
      'no iat': await logoutToken({ drop: ['iat'] }),
      'issued long ago': await logoutToken({ claims: { iat: now - 3600 } }),
      'typed as a plain JWT': await logoutToken({ typ: 'JWT' }),
      'signed with a key the provider does not publish': await logoutToken({ key: strangerKey }),
      'alg none': unsecured({ iss: op.issuer, aud: 'shop', iat: now, jti: 'j', events: { [EVENT]: {} }, sub: GRACE }),
      'not a JWT': 'hello',
    };
    for (const [why, token] of Object.entries(refused)) {
      expect({ why, status: await deliver(token) }).toEqual({ why, status: 400 });
    }
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('accepts a logout token once', async () => {
    const token = await logoutToken({ claims: { sub: LIN } });
    expect(await deliver(token)).toBe(200);
    expect(await deliver(token)).toBe(400);
  });
});
