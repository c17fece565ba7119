import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { codeAt, enrolTotp, signInWithCode, v1 } from './mfa-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('step-up for sensitive actions (issue 16 #5)', () => {
  it('asks an actor with a factor to prove it again once the window has passed, then lets the retry through', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const { secret } = await enrolTotp(h, c);
    const signed = await signInWithCode(h, t, c.user, { code: codeAt(h, secret) });
    const s = signed.client;
    if (!s) throw new Error('no session');
    expect((await s.call('POST', v1('/me/tokens'), { name: 'fresh' })).statusCode).toBe(201);
    h.clock.advance(301); // past the default window of 300 s
    problem(await s.call('POST', v1('/me/tokens'), { name: 'stale' }), 403, 'auth.step_up_required');
    problem(
      await s.call('PUT', v1(`/tenants/${t.id}/security-policy`), { mfa: 'everyone' }),
      403,
      'auth.step_up_required',
    );
    const member = await h.k.aUserIn(t, ['CustomerBasic']);
    problem(
      await s.call('PUT', v1(`/users/${member.id}/roles`), { roles: ['Marketing'] }),
      403,
      'auth.step_up_required',
    );
    // Reading stays open.
    expect((await s.call('GET', v1(`/tenants/${t.id}/security-policy`))).statusCode).toBe(200);
    const verified = await s.call('POST', v1('/me/mfa/verify'), { code: codeAt(h, secret) });
    expect(verified.statusCode, verified.body).toBe(200);
    const again = h.clientFor(verified, c.user, t);
    expect((await again.call('POST', v1('/me/tokens'), { name: 'stepped up' })).statusCode).toBe(201);
    expect((await again.call('PUT', v1(`/users/${member.id}/roles`), { roles: ['Marketing'] })).statusCode).toBe(200);
  });

  it('follows the policy’s window, and leaves an actor without factors or obligation alone', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    expect((await c.call('PUT', v1(`/tenants/${t.id}/security-policy`), { stepUpSeconds: 60 })).statusCode).toBe(200);
    h.clock.advance(120);
    expect((await c.call('POST', v1('/me/tokens'), { name: 'no factor, no step-up' })).statusCode).toBe(201);
    const { secret } = await enrolTotp(h, c);
    const signed = (await signInWithCode(h, t, c.user, { code: codeAt(h, secret) })).client;
    if (!signed) throw new Error('no session');
    h.clock.advance(61);
    problem(await signed.call('POST', v1('/me/tokens'), { name: 'stale' }), 403, 'auth.step_up_required');
  });
});
