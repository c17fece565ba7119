import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const v1 = (p: string) => `/api/v1${p}`;
const ADVANCED = ['AdministrationAdvanced', 'AdministrationBasic'];
const bearer = (token: string) =>
  h.app.inject({ method: 'GET', url: v1('/me'), headers: { authorization: `Bearer ${token}` } });
const events = (tenantId: string, action: string) =>
  h.k.deps.store.read((r) => r.audit.list(tenantId, { action, limit: 100 }));

async function tokenOf(c: Client, name = 'ci'): Promise<{ id: string; token: string }> {
  const res = await c.call('POST', v1('/me/tokens'), { name });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe("an administrator and another user's tokens and sessions (issue 20 #4)", () => {
  it('lists the tokens without secrets and revokes one: it fails at once, the revocation is audited', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ADVANCED);
    const target = await h.signedIn(t, ['AdministrationBasic']);
    const kept = await tokenOf(target, 'kept');
    const doomed = await tokenOf(target, 'doomed');
    expect((await bearer(doomed.token)).statusCode).toBe(200);

    const list = await admin.call('GET', v1(`/users/${target.user.id}/tokens`));
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .items.map((x: { id: string }) => x.id)
        .sort(),
    ).toEqual([kept.id, doomed.id].sort());
    expect(list.body).not.toContain(doomed.token);
    expect(list.body).not.toMatch(/"token"|hash/i);

    expect((await admin.call('DELETE', v1(`/users/${target.user.id}/tokens/${doomed.id}`))).statusCode).toBe(204);
    problem(await bearer(doomed.token), 401, 'auth.unauthenticated');
    expect((await bearer(kept.token)).statusCode).toBe(200);
    const [event] = await events(t.id, 'api_token.revoked');
    expect(event).toMatchObject({
      actorUserId: admin.user.id,
      targetType: 'api_token',
      targetId: doomed.id,
      details: { userId: target.user.id },
    });
    const after = (await admin.call('GET', v1(`/users/${target.user.id}/tokens`))).json().items;
    expect(after.find((x: { id: string }) => x.id === doomed.id).revokedAt).not.toBeNull();
  });

  it('answers an unknown, already revoked or someone else’s token id like a missing resource', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ADVANCED);
    const target = await h.signedIn(t, ['CustomerBasic']);
    const other = await h.signedIn(t, ['CustomerBasic']);
    const othersToken = await tokenOf(other);
    const own = await tokenOf(target);
    const url = (id: string) => v1(`/users/${target.user.id}/tokens/${id}`);
    problem(await admin.call('DELETE', url(randomUUID())), 404, 'resource.not_found');
    problem(await admin.call('DELETE', url(othersToken.id)), 404, 'resource.not_found');
    expect((await bearer(othersToken.token)).statusCode).toBe(200);
    expect((await admin.call('DELETE', url(own.id))).statusCode).toBe(204);
    problem(await admin.call('DELETE', url(own.id)), 404, 'resource.not_found');
    expect(await events(t.id, 'api_token.revoked')).toHaveLength(1);
  });

  it('refuses a basic administrator against a holder of AdministrationAdvanced, on all three paths', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const basic = await h.signedIn(t, ['AdministrationBasic']);
    const strong = await h.signedIn(t, ADVANCED);
    const token = await tokenOf(strong);
    const base = v1(`/users/${strong.user.id}`);
    for (const [method, path] of [
      ['GET', '/tokens'],
      ['DELETE', `/tokens/${token.id}`],
      ['POST', '/sessions/revoke'],
    ] as const) {
      const p = problem(await basic.call(method, `${base}${path}`), 403, 'grant.target_outranks');
      expect(p.detail).toContain('AdministrationAdvanced');
    }
    expect((await bearer(token.token)).statusCode).toBe(200);
    expect((await strong.call('GET', v1('/me'))).statusCode).toBe(200);
    expect(await events(t.id, 'api_token.revoked')).toEqual([]);
    expect(await events(t.id, 'user.sessions_revoked')).toEqual([]);
  });

  it('needs users.lock: a user without it is refused, a user of another tenant is not found', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const elsewhere = await h.k.aTenant(h.k.root, 'reseller');
    const clerk = await h.signedIn(t, ['CustomerBasic']);
    const stranger = await h.signedIn(elsewhere, ADVANCED);
    const target = await h.k.aUserIn(t, ['CustomerBasic']);
    problem(await clerk.call('GET', v1(`/users/${target.id}/tokens`)), 403, 'grant.missing_permission');
    problem(await clerk.call('POST', v1(`/users/${target.id}/sessions/revoke`)), 403, 'grant.missing_permission');
    problem(await stranger.call('GET', v1(`/users/${target.id}/tokens`)), 404, 'resource.not_found');
    problem(await stranger.call('POST', v1(`/users/${target.id}/sessions/revoke`)), 404, 'resource.not_found');
  });

  it("ends every session of the target, not the administrator's, and audits it", async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ADVANCED);
    const target = await h.signedIn(t, ['CustomerBasic'], { login: 'target' });
    const second = h.clientFor(await h.login(t, 'target'), target.user, t);
    const token = await tokenOf(target);
    expect((await target.call('GET', v1('/me'))).statusCode).toBe(200);

    const res = await admin.call('POST', v1(`/users/${target.user.id}/sessions/revoke`));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: 2 });
    problem(await target.call('GET', v1('/me')), 401, 'auth.unauthenticated');
    problem(await second.call('GET', v1('/me')), 401, 'auth.unauthenticated');
    expect((await admin.call('GET', v1('/me'))).statusCode).toBe(200);
    // Sessions only: a token is revoked on its own path.
    expect((await bearer(token.token)).statusCode).toBe(200);
    const [event] = await events(t.id, 'user.sessions_revoked');
    expect(event).toMatchObject({
      actorUserId: admin.user.id,
      targetType: 'user',
      targetId: target.user.id,
      details: { revoked: 2 },
    });
  });

  it('on oneself ends the other sessions and keeps the calling one', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ADVANCED, { login: 'self' });
    const elsewhere = h.clientFor(await h.login(t, 'self'), admin.user, t);
    const res = await admin.call('POST', v1(`/users/${admin.user.id}/sessions/revoke`));
    expect(res.json()).toEqual({ revoked: 1 });
    expect((await admin.call('GET', v1('/me'))).statusCode).toBe(200);
    problem(await elsewhere.call('GET', v1('/me')), 401, 'auth.unauthenticated');
  });
});
