import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptShare, releaseShare } from '../../../src/app/shares.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';
import { codeAt, enrolTotp, signInWithCode, v1 } from './mfa-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

describe('security policy down the tree (issue 16 #4)', () => {
  it('shows inherited values with their source, and refuses a child loosening its parent', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.k.aTenant(r, 'consumer');
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    const signedIn = await h.signedIn(c, ADMIN_ROLES, { type: 'primary' });
    const put = await rAdmin.call('PUT', v1(`/tenants/${r.id}/security-policy`), {
      mfa: 'administrators',
      minPasswordLength: 20,
      sessionIdleSeconds: 1800,
    });
    expect(put.statusCode, put.body).toBe(200);
    // The child's administrator is now obliged to a second factor, and held at enrolment.
    problem(await signedIn.call('GET', v1(`/tenants/${c.id}/security-policy`)), 403, 'mfa.enrolment_required');
    const cAdmin = (await enrolTotp(h, signedIn)).client;
    const got = (await cAdmin.call('GET', v1(`/tenants/${c.id}/security-policy`))).json();
    expect(got.effective.mfa).toEqual({ value: 'administrators', source: r.id });
    expect(got.effective.minPasswordLength).toEqual({ value: 20, source: r.id });
    expect(got.effective.stepUpSeconds.source).toBeNull();
    expect(got.inherited.mfa).toEqual({ value: 'administrators', source: r.id });
    const loose = problem(
      await cAdmin.call('PUT', v1(`/tenants/${c.id}/security-policy`), { mfa: 'none', minPasswordLength: 16 }),
      409,
      'policy.looser_than_parent',
    );
    expect((loose.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['mfa', 'minPasswordLength']);
    expect(JSON.stringify(loose.errors)).toContain(`tenant ${r.id}`);
    problem(await cAdmin.call('PUT', v1(`/tenants/${c.id}/security-policy`), { minPasswordLength: 12 }), 400);
    const tight = await cAdmin.call('PUT', v1(`/tenants/${c.id}/security-policy`), {
      minPasswordLength: 24,
      sessionIdleSeconds: 900,
    });
    expect(tight.statusCode, tight.body).toBe(200);
    expect(tight.json().effective.minPasswordLength).toEqual({ value: 24, source: c.id });
    expect(tight.json().effective.sessionIdleSeconds).toEqual({ value: 900, source: c.id });
    const events = await h.k.db.kysely
      .selectFrom('audit_events')
      .select('tenant_id')
      .where('action', '=', 'tenant.security_policy_changed')
      .execute();
    expect(events.map((e) => e.tenant_id).sort()).toEqual([r.id, c.id].sort());
  });

  it('needs tenants.update to change the policy', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const basic = await h.signedIn(r, ['AdministrationBasic']);
    expect((await basic.call('GET', v1(`/tenants/${r.id}/security-policy`))).statusCode).toBe(200);
    problem(await basic.call('PUT', v1(`/tenants/${r.id}/security-policy`), { mfa: 'everyone' }), 403);
  });

  it('makes the password rules follow the effective minimum length', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.k.aTenant(r, 'consumer');
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    expect(
      (await rAdmin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { minPasswordLength: 30 })).statusCode,
    ).toBe(200);
    const user = await h.signedIn(c, ['CustomerBasic', 'AdministrationBasic']);
    const res = await user.call('POST', v1('/me/password'), {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a fine new pass phrase 7', // 24 characters: enough at home, not below r
    });
    const body = problem(res, 400, 'validation.password_policy');
    expect(JSON.stringify(body)).toContain('At least 30 characters');
  });

  it('holds an obliged user without a factor at enrolment, from the next request after a parent tightens', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const c = await h.k.aTenant(r, 'consumer');
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    const member = await h.signedIn(c, ['CustomerBasic']);
    expect((await member.call('GET', v1(`/tenants/${c.id}`))).statusCode).toBe(200);
    expect((await rAdmin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { mfa: 'everyone' })).statusCode).toBe(
      200,
    );
    // The session that was open before the change is held now too.
    problem(await member.call('GET', v1(`/tenants/${c.id}`)), 403, 'mfa.enrolment_required');
    const me = (await member.call('GET', v1('/me'))).json();
    expect(me.authentication.mfaEnrolmentRequired).toBe(true);
    const login = await h.login(c, member.user.loginName);
    expect(login.json().mfaEnrolmentRequired).toBe(true);
    // Enrolling right there opens everything.
    const { client, secret } = await enrolTotp(h, member);
    expect((await client.call('GET', v1(`/tenants/${c.id}`))).statusCode).toBe(200);
    const next = await signInWithCode(h, c, member.user, { code: codeAt(h, secret) });
    expect((await next.client?.call('GET', v1(`/tenants/${c.id}`)))?.statusCode).toBe(200);
  });

  it('refuses password sign-in where the policy is SSO only', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    const member = await h.k.aUserIn(r, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'sso-only-member' });
    expect(
      (await rAdmin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { passwordsAllowed: false })).statusCode,
    ).toBe(200);
    // The same answer for the right password, a wrong one and an unknown login: no oracle.
    for (const [login, password] of [
      [member.loginName, TEST_PASSWORD],
      [member.loginName, 'a wrong password for sure'],
      ['nobody-of-that-name', TEST_PASSWORD],
    ] as const) {
      problem(await h.login(r, login, password), 403, 'policy.password_sign_in_disabled');
    }
  });
});

describe('administrators and other users’ factors (issue 16 #3)', () => {
  it('lists factor kinds without secrets, and resets them under the rank rule, audited and mailed', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const advanced = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const basic = await h.signedIn(t, ['AdministrationBasic']);
    const member = await h.signedIn(t, ['CustomerBasic']);
    await h.k.deps.store.transaction((r) =>
      r.users.update(t.id, member.user.id, { email: 'member@example.com' }, new Date()),
    );
    const { secret: advSecret } = await enrolTotp(h, advanced);
    const { secret } = await enrolTotp(h, member);
    // A basic administrator neither sees nor resets a stronger one's factors.
    problem(await basic.call('GET', v1(`/users/${advanced.user.id}/factors`)), 403, 'grant.target_outranks');
    problem(await basic.call('POST', v1(`/users/${advanced.user.id}/factors/reset`)), 403, 'grant.target_outranks');
    const list = await basic.call('GET', v1(`/users/${member.user.id}/factors`));
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((f: { kind: string }) => f.kind)).toEqual(['totp']);
    expect(list.body).not.toContain(secret);
    const reset = await basic.call('POST', v1(`/users/${member.user.id}/factors/reset`));
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().removed).toEqual(['totp']);
    expect(h.mails.some((m) => m.to === 'member@example.com' && m.subject.includes('reset'))).toBe(true);
    const audited = await h.k.db.kysely
      .selectFrom('audit_events')
      .select(['actor_user_id'])
      .where('action', '=', 'user.factors_reset')
      .where('target_id', '=', member.user.id)
      .execute();
    expect(audited).toEqual([{ actor_user_id: basic.user.id }]);
    // The password alone signs the member in again; the stronger administrator still needs its code.
    expect((await h.login(t, member.user.loginName)).json().csrfToken).toBeDefined();
    expect((await signInWithCode(h, t, advanced.user, { code: codeAt(h, advSecret) })).status).toBe(200);
    // Nobody resets his own factors without the password: that path is /me/mfa.
    problem(await basic.call('POST', v1(`/users/${basic.user.id}/factors/reset`)), 400, 'validation.invalid');
  });
});

describe('a shared user meets the stricter of home and target (issue 16 #4)', () => {
  it('does not switch without a second factor into a tenant that requires one, and does with it', async () => {
    const home = await h.k.aTenant(h.k.root, 'reseller');
    const target = await h.k.aTenant(home, 'consumer');
    const homeAdmin = await h.k.aUserIn(home, ADMIN_ROLES, { type: 'primary' });
    const targetAdmin = await h.signedIn(target, ADMIN_ROLES, { type: 'primary' });
    const worker = await h.signedIn(home, ['CustomerBasic']);
    const { share } = await releaseShare(h.k.deps, await h.k.ctx(homeAdmin), {
      userId: worker.user.id,
      tenantId: target.id,
    });
    await acceptShare(h.k.deps, await h.k.ctx(await h.k.aUserIn(target, ADMIN_ROLES)), share.id);
    expect(
      (await targetAdmin.call('PUT', v1(`/tenants/${target.id}/security-policy`), { mfa: 'everyone' })).statusCode,
    ).toBe(200);
    // At home nothing is required: the worker works there as before.
    expect((await worker.call('GET', v1(`/tenants/${home.id}`))).statusCode).toBe(200);
    problem(await worker.call('PUT', v1('/me/acting-tenant'), { tenantId: target.id }), 403, 'mfa.required_here');
    const { client, secret } = await enrolTotp(h, worker);
    expect((await client.call('PUT', v1('/me/acting-tenant'), { tenantId: target.id })).statusCode).toBe(204);
    expect((await client.call('GET', v1('/me'))).json().actingTenant.id).toBe(target.id);
    expect(secret).toBeTruthy();
  });

  it('ends a session idle longer than the policy allows, though the installation would keep it', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['AdministrationAdvanced']);
    expect(
      (await admin.call('PUT', v1(`/tenants/${t.id}/security-policy`), { sessionIdleSeconds: 600 })).statusCode,
    ).toBe(200);
    const member = await h.signedIn(t, ['CustomerBasic']);
    h.clock.advance(300);
    expect((await member.call('GET', v1('/me'))).statusCode).toBe(200);
    h.clock.advance(601);
    problem(await member.call('GET', v1('/me')), 401, 'auth.unauthenticated');
  });
});
