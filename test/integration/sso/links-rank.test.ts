import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { startOp, type TestOp } from './op.js';
import { type SsoKit, ssoKit } from './sso-kit.js';

let kit: SsoKit;
let op: TestOp;

beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/rank' });
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

describe('linking an SSO identity obeys the rank rule (issue 14)', () => {
  it('refuses linking and unlinking a user who holds an administration role the actor lacks', async () => {
    const { k, app } = kit;
    const t = await k.aTenant(k.root, 'consumer');
    const full = await kit.admin(t);
    const conn = await kit.connect(full, t, op);
    const strong = await k.aUserIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const path = `/api/v1/tenants/${t.id}/users/${strong.id}/sso-links`;

    // sso.manage without AdministrationBasic: may administer SSO, not take over the stronger user.
    await k.aUserIn(t, ['AdministrationAdvanced'], { login: 'half-admin', password: TEST_PASSWORD });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { tenant: t.slug, username: 'half-admin', password: TEST_PASSWORD },
    });
    const cookies = { kontor_session: login.cookies.find((c) => c.name === 'kontor_session')?.value ?? '' };
    const headers = { 'x-csrf-token': login.json().csrfToken };
    const link = await app.inject({
      method: 'POST',
      url: path,
      payload: { connectionId: conn.id, subject: 'attacker-sub' },
      cookies,
      headers,
    });
    expect(link.statusCode, link.body).toBe(403);
    expect(link.json().code).toBe('grant.target_outranks');
    expect((await full.call('POST', path, { connectionId: conn.id, subject: 'strong-sub' })).statusCode).toBe(201);
    const unlink = await app.inject({ method: 'DELETE', url: `${path}/${conn.id}`, cookies, headers });
    expect(unlink.statusCode, unlink.body).toBe(403);
    const links = (await full.call('GET', path)).json().items as { subject: string }[];
    expect(links.map((l) => l.subject)).toEqual(['strong-sub']);
  });
});
