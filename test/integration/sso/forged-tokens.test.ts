import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { Browser } from './browser.js';
import { type RogueMode, startRogueOp } from './rogue-op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let rogue: Awaited<ReturnType<typeof startRogueOp>>;
let t: Tenant;
let admin: Admin;
let connId: string;

beforeAll(async () => {
  kit = await ssoKit();
  rogue = await startRogueOp('rogue-client');
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
  const res = await admin.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, {
    name: 'Rogue',
    issuer: rogue.issuer,
    clientId: 'rogue-client',
    clientSecret: 'rogue-secret',
  });
  connId = res.json().id;
  const user = await kit.k.aUserIn(t, ['CustomerBasic']);
  await admin.call('POST', `/api/v1/tenants/${t.id}/users/${user.id}/sso-links`, {
    connectionId: connId,
    subject: 'rogue-user',
  });
});
afterAll(async () => {
  await kit?.close();
  await rogue?.close();
});

const signIn = (mode: RogueMode) => {
  rogue.set(mode);
  return new Browser(kit.app).signIn(`/api/v1/auth/sso/${connId}/start?tenant=${t.slug}`);
};

describe('forged ID tokens from a misbehaving provider', () => {
  it('signs in when the provider behaves (the rogue provider itself works)', async () => {
    expect((await signIn('ok')).statusCode).toBe(303);
  });

  it.each<[RogueMode, RegExp]>([
    ['alg-none', /alg/],
    ['hs256-public-key', /alg/],
    ['expired', /exp|timestamp/i],
    ['wrong-aud', /aud/],
    ['iat-future', /iat/],
    ['other-sub-userinfo', /sub/],
  ])('refuses %s, creating no session and auditing why', async (mode, why) => {
    const sessions = await kit.k.count('sessions');
    const res = await signIn(mode);
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().code).toBe('sso.rejected');
    expect(await kit.k.count('sessions')).toBe(sessions);
    const [last] = await kit.k.deps.store.read((r) => r.audit.list(t.id, { action: 'auth.sso_refused', limit: 1 }));
    expect(`${last?.details.reason} ${last?.details.message}`).toMatch(why);
  });
});
