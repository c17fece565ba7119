import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const actions = async (c: Client, tenantId: string) =>
  ((await c.call('GET', `/api/v1/tenants/${tenantId}/audit?limit=200`)).json().items as { action: string }[]).map(
    (e) => e.action,
  );

describe('share consent (issue 20 #2, decision 0007)', () => {
  it('a role added at home after acceptance does not reach the importing tenant until it re-accepts', async () => {
    // provider → reseller R → consumer C; C shares its user U up to R.
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.k.aTenant(r, 'consumer');
    const rPrimary = await h.signedIn(r, ['AdministrationAdvanced', 'AdministrationBasic'], { type: 'primary' });
    const rAdmin = await h.signedIn(r, ADMIN_ROLES);
    const cAdmin = await h.signedIn(c, ADMIN_ROLES);
    const u = await h.signedIn(c, ['CustomerBasic']);
    const offered = await cAdmin.call('POST', `/api/v1/users/${u.user.id}/shares`, { tenantId: r.id });
    expect(offered.statusCode).toBe(201);
    const shareId = offered.json().share.id as string;
    expect((await rAdmin.call('POST', `/api/v1/shares/${shareId}/accept`)).statusCode).toBe(200);
    // The accepted role works in R through U's own session, not only in decisions.
    expect((await u.call('PUT', '/api/v1/me/acting-tenant', { tenantId: r.id })).statusCode).toBe(204);
    expect((await u.call('GET', `/api/v1/tenants/${r.id}`)).statusCode).toBe(200);
    expect((await u.call('PUT', '/api/v1/me/acting-tenant', { tenantId: c.id })).statusCode).toBe(204);

    // C's admin widens U at home, after R's consent.
    const widened = ['AdministrationAdvanced', 'AdministrationBasic', 'CustomerBasic'];
    expect((await cAdmin.call('PUT', `/api/v1/users/${u.user.id}/roles`, { roles: widened })).statusCode).toBe(200);
    expect(await actions(rAdmin, r.id)).toContain('share.roles_changed_at_home');

    const mailsBefore = h.mails.length;
    // The attack: U switches to R and resets the password of R's primary user.
    expect((await u.call('PUT', '/api/v1/me/acting-tenant', { tenantId: r.id })).statusCode).toBe(204);
    const reset = await u.call('POST', `/api/v1/users/${rPrimary.user.id}/password-reset`);
    problem(reset, 403);
    expect(h.mails).toHaveLength(mailsBefore);
    expect((await h.k.decisions.decide(u.user.id, r.id, 'users.password.reset')).allowed).toBe(false);
    // At home the new roles hold.
    expect((await h.k.decisions.decide(u.user.id, c.id, 'users.password.reset')).allowed).toBe(true);

    // R re-accepts, having seen the new roles: the consent widens.
    expect((await rAdmin.call('POST', `/api/v1/shares/${shareId}/accept`)).statusCode).toBe(200);
    expect(await actions(rAdmin, r.id)).toContain('share.reaccepted');
    expect((await h.k.decisions.decide(u.user.id, r.id, 'users.password.reset')).allowed).toBe(true);
    expect((await u.call('GET', `/api/v1/tenants/${r.id}/users?limit=1`)).statusCode).toBe(200);
    // Accepting again with nothing new: 409, no second event.
    problem(await rAdmin.call('POST', `/api/v1/shares/${shareId}/accept`), 409, 'share.not_offered');
    expect((await actions(rAdmin, r.id)).filter((a) => a === 'share.reaccepted')).toHaveLength(1);
  });
});
