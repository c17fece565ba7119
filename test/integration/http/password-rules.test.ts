import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 14 #4 (a new password differs from the current and the one-time one) and issue 20 #5
// (NFKC at every hash and verify, length as typed).
let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const change = (c: Awaited<ReturnType<HttpKit['signedIn']>>, currentPassword: string, newPassword: string) =>
  c.call('POST', '/api/v1/me/password', { currentPassword, newPassword });

describe('password rules', () => {
  it('refuses the one-time password as the new one at the forced first change', async () => {
    const login = await h.login(h.k.root, 'admin');
    expect(login.json().mustChangePassword).toBe(true);
    const admin = h.clientFor(login, h.k.rootAdmin, h.k.root);
    problem(await change(admin, TEST_PASSWORD, TEST_PASSWORD), 400, 'password.reused');
    // Still forced to change: the refusal changed nothing.
    problem(await admin.call('GET', `/api/v1/tenants/${h.k.root.id}/users`), 403, 'auth.password_change_required');
  });

  it('refuses the current password as the new one, also typed in another Unicode form', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    problem(await change(u, TEST_PASSWORD, TEST_PASSWORD), 400, 'password.reused');
    // Full-width letters are the same password under NFKC.
    const fullWidth = [...TEST_PASSWORD]
      .map((ch) => (ch === ' ' ? ch : String.fromCodePoint(ch.codePointAt(0)! + 0xfee0)))
      .join('');
    problem(await change(u, TEST_PASSWORD, fullWidth), 400, 'password.reused');
  });

  it('signs in with a full-width password it set, typed either way', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic'], { login: 'full-width' });
    const fullWidth = 'ｍｙ ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓｐｈｒａｓｅ';
    expect((await change(u, TEST_PASSWORD, fullWidth)).statusCode).toBe(204);
    expect((await h.login(h.k.root, 'full-width', fullWidth)).statusCode).toBe(200);
    expect((await h.login(h.k.root, 'full-width', 'my full width passphrase')).statusCode).toBe(200);
  });

  it('counts length as typed: one code point that expands under NFKC is too short', async () => {
    const u = await h.signedIn(h.k.root, ['CustomerBasic']);
    const res = await change(u, TEST_PASSWORD, '\ufdfa');
    problem(res, 400, 'validation.password_policy');
    expect(JSON.stringify(res.json())).toContain('password.too_short');
  });
});
