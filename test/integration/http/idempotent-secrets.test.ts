import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';
import { ADMIN_ROLES } from './scene.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('Idempotency-Key on answers that carry a secret', () => {
  it('shows an API token once: a repeat of the key is refused, from another session and from a token', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const again = h.clientFor(await h.login(h.k.root, u.user.loginName), u.user, h.k.root);
    const key = { 'idempotency-key': 'mint-once' };
    const first = await u.call('POST', '/api/v1/me/tokens', { name: 'ci' }, { headers: key });
    expect(first.statusCode).toBe(201);
    const secret = first.json().token as string;
    const replay = await u.call('POST', '/api/v1/me/tokens', { name: 'ci' }, { headers: key });
    problem(replay, 409, 'request.secret_not_replayable');
    problem(await again.call('POST', '/api/v1/me/tokens', { name: 'ci' }, { headers: key }), 409);
    const viaToken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/tokens',
      headers: { authorization: `Bearer ${secret}`, ...key },
      payload: { name: 'ci' },
    });
    expect(viaToken.body).not.toContain(secret);
    problem(viaToken, 409, 'request.secret_not_replayable');
    const rows = await h.k.db.kysely.selectFrom('idempotency_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    // The key still did its job: one token, not two.
    expect((await u.call('GET', '/api/v1/me/tokens')).json().items).toHaveLength(1);
  });

  it('never returns a password link twice for one key', async () => {
    const admin = await h.signedIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic']);
    const key = { 'idempotency-key': 'reset-once' };
    const first = await admin.call('POST', `/api/v1/users/${u.id}/password-reset`, undefined, { headers: key });
    const link = first.json().link as string;
    expect(link).toContain('#token=');
    const replay = await admin.call('POST', `/api/v1/users/${u.id}/password-reset`, undefined, { headers: key });
    expect(replay.body).not.toContain(link);
    problem(replay, 409, 'request.secret_not_replayable');
  });

  it('still replays an answer without a secret, and a refused attempt as it was', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const key = { 'idempotency-key': 'bad-name' };
    const bad = await u.call('POST', '/api/v1/me/tokens', { name: '' }, { headers: key });
    expect(bad.statusCode).toBe(400);
    const replay = await u.call('POST', '/api/v1/me/tokens', { name: '' }, { headers: key });
    expect(replay.statusCode).toBe(400);
  });
});
