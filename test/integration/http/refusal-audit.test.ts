import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSAL_EVENTS_PER_MINUTE } from '../../../src/app/auth/refusals.js';
import type { AuditEvent } from '../../../src/domain/audit.js';
import { type SsoKit, ssoKit } from '../sso/sso-kit.js';
import { type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 20 #11: refusals are evidence. A 403 to a signed-in caller is `access.denied` in the log
// of the tenant it acted in; a refused bearer token is a warning in the request log.

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const denials = (tenantId: string, userId: string): Promise<AuditEvent[]> =>
  h.k.deps.store.read(async (r) =>
    (await r.audit.list(tenantId, { action: 'access.denied', limit: 200 })).filter((e) => e.actorUserId === userId),
  );

describe('refusal audit', () => {
  it('writes a missing permission to the acting tenant’s log, with the route pattern and the code', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const buyer = await h.signedIn(t, ['CustomerBasic']);
    problem(await buyer.call('GET', `/api/v1/tenants/${t.id}/users?q=secret-term`), 403, 'grant.missing_permission');
    const [e, ...rest] = await denials(t.id, buyer.user.id);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      action: 'access.denied',
      actorTenantId: t.id,
      targetType: 'route',
      details: { code: 'grant.missing_permission', method: 'GET', route: '/api/v1/tenants/:id/users' },
    });
    expect(JSON.stringify(e)).not.toContain('secret-term');
  });

  it('writes a CSRF refusal', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['AdministrationBasic', 'AdministrationAdvanced']);
    const res = await admin.call('POST', `/api/v1/tenants/${t.id}/companies`, { name: 'X' }, { csrf: false });
    problem(res, 403, 'auth.csrf');
    expect((await denials(t.id, admin.user.id)).map((e) => e.details.code)).toEqual(['auth.csrf']);
  });

  it('writes at most its budget per actor and minute, however often a client is refused', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const buyer = await h.signedIn(t, ['CustomerBasic']);
    for (let i = 0; i < REFUSAL_EVENTS_PER_MINUTE + 5; i++) {
      problem(await buyer.call('GET', `/api/v1/tenants/${t.id}/users`), 403);
    }
    expect(await denials(t.id, buyer.user.id)).toHaveLength(REFUSAL_EVENTS_PER_MINUTE);
    h.clock.advance(61);
    problem(await buyer.call('GET', `/api/v1/tenants/${t.id}/users`), 403);
    expect(await denials(t.id, buyer.user.id)).toHaveLength(REFUSAL_EVENTS_PER_MINUTE + 1);
  });

  it('does not write a 404 or a success', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['AdministrationBasic', 'AdministrationAdvanced']);
    expect((await admin.call('GET', `/api/v1/tenants/${t.id}/users`)).statusCode).toBe(200);
    problem(await admin.call('GET', `/api/v1/users/00000000-0000-4000-8000-000000000000`), 404);
    expect(await denials(t.id, admin.user.id)).toEqual([]);
  });
});

describe('refused bearer tokens', () => {
  let kit: SsoKit;
  beforeAll(async () => {
    kit = await ssoKit();
  });
  afterAll(async () => kit?.close());

  it('logs an unknown token on the API and on SCIM as a warning, never the token', async () => {
    const token = `kt_${'x'.repeat(40)}`;
    const t = await kit.k.aTenant(kit.k.root, 'reseller');
    for (const url of ['/api/v1/me', `/scim/v2/${t.slug}/Users`]) {
      const res = await kit.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, url).toBe(401);
    }
    const warnings = kit.logs.filter((l) => l.includes('auth.bearer_rejected'));
    expect(warnings.map((l) => JSON.parse(l).route)).toEqual(['/api/v1/me', '/scim/v2/:tenant/Users']);
    expect(kit.logs.join('\n')).not.toContain(token);
  });
});
