import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKontor, type Kontor } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import { type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';
import { v1 } from './mfa-kit.js';

// Two Kontor instances on one PostgreSQL schema, each with its own principal cache: a policy
// change at a parent committed on A reaches a descendant's session on B at its next request.
describe.runIf(process.env.DATABASE_URL)('security policy on two instances (issue 16)', () => {
  let h: HttpKit;
  let bKontor: Kontor;
  let b: FastifyInstance;
  beforeAll(async () => {
    h = await httpKit();
    bKontor = await createKontor({ ...h.k.config });
    b = await createHttpApp(bKontor, {
      deps: { ...bKontor.deps, clock: h.clock },
      logger: false,
      mail: { send: async () => {} },
    });
  });
  afterAll(async () => {
    await b?.close();
    await bKontor?.close();
    await h?.close();
  });

  it('applies a parent’s tightening to the next request of every descendant session, on either instance', async () => {
    const r = await h.k.aTenant(h.k.root, 'reseller');
    const mid = await h.k.aTenant(r, 'reseller');
    const leaves = [await h.k.aTenant(mid, 'consumer'), await h.k.aTenant(mid, 'carrier')];
    const rAdmin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
    const members = await Promise.all(leaves.map((t) => h.signedIn(t, ['CustomerBasic'])));
    const onB = (c: (typeof members)[number], url: string) =>
      b.inject({ method: 'GET', url, cookies: { kontor_session: c.cookie } });
    // Warm both instances' caches.
    for (const [i, m] of members.entries()) {
      const t = leaves[i];
      expect((await m.call('GET', v1(`/tenants/${t?.id}`))).statusCode).toBe(200);
      expect((await onB(m, v1(`/tenants/${t?.id}`))).statusCode).toBe(200);
    }
    const put = await rAdmin.call('PUT', v1(`/tenants/${r.id}/security-policy`), { mfa: 'everyone' });
    expect(put.statusCode, put.body).toBe(200);
    for (const [i, m] of members.entries()) {
      const t = leaves[i];
      problem(await onB(m, v1(`/tenants/${t?.id}`)), 403, 'mfa.enrolment_required');
      problem(await m.call('GET', v1(`/tenants/${t?.id}`)), 403, 'mfa.enrolment_required');
      const policy = await b.inject({ method: 'GET', url: v1('/me/mfa'), cookies: { kontor_session: m.cookie } });
      expect(policy.json().required).toBe(true);
    }
  });
});
