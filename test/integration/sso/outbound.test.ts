import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

// Issue 20 #6: the SSO issuer is an outbound call that an administrator chooses and an anonymous
// `/start` triggers. It is checked when saved, failures are remembered, and `/start` is throttled.

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

const connection = (issuer: string) => ({ name: 'IdP', issuer, clientId: 'kontor', clientSecret: 'a-secret-value' });

describe('SSO issuers and the outbound guard', () => {
  let op: TestOp;
  beforeAll(async () => {
    op = await startOp({ path: '/realms/outbound' });
  });
  afterAll(async () => op?.close());

  describe('without the loopback allowance (production default)', () => {
    let kit: SsoKit;
    let t: Tenant;
    let admin: Admin;
    beforeAll(async () => {
      kit = await ssoKit({ outbound: { allowLoopback: false } });
      t = await kit.k.aTenant(kit.k.root, 'reseller');
      admin = await kit.admin(t);
    });
    afterAll(async () => kit?.close());

    it('refuses to save an issuer on loopback, by address or by name, and saves nothing', async () => {
      const port = new URL(op.issuer).port;
      for (const issuer of [op.issuer, `http://localhost:${port}/realms/outbound`]) {
        const before = op.hits();
        const res = await admin.call('POST', `/api/v1/tenants/${t.id}/sso-connections`, connection(issuer));
        expect(res.statusCode, `${issuer}: ${res.body}`).toBe(422);
        expect(res.json().code).toBe('sso.issuer_forbidden');
        expect(op.hits(), 'the guard refuses before connecting').toBe(before);
      }
      expect((await admin.call('GET', `/api/v1/tenants/${t.id}/sso-connections`)).json().items).toEqual([]);
    });
  });

  describe('with loopback allowed (tests, development)', () => {
    let kit: SsoKit;
    let t: Tenant;
    let admin: Admin;
    let now = Date.now();
    beforeAll(async () => {
      kit = await ssoKit({
        clock: { now: () => new Date(now) },
        settings: { ssoStart: { maxPerAddress: 5, windowSeconds: 60 } },
      });
      t = await kit.k.aTenant(kit.k.root, 'reseller');
      admin = await kit.admin(t);
    });
    afterAll(async () => kit?.close());
    const start = (id: string, ip: string) =>
      kit.app.inject({
        method: 'GET',
        url: `/api/v1/auth/sso/${id}/start?tenant=${t.slug}`,
        remoteAddress: ip,
      });

    it('refuses to save an issuer nothing answers on', async () => {
      const res = await admin.call(
        'POST',
        `/api/v1/tenants/${t.id}/sso-connections`,
        connection(`http://127.0.0.1:${await closedPort()}/realms/none`),
      );
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().code).toBe('sso.issuer_unreachable');
    });

    it('remembers a failed discovery for a minute of Kontor’s clock, then tries again', async () => {
      const c = await kit.connect(admin, t, op);
      op.pause();
      const down = await start(c.id, '10.9.0.1');
      expect(down.statusCode).not.toBe(302);
      op.resume();
      const hits = op.hits();
      // Within the minute the failure is answered from memory: the provider is not called.
      const cached = await start(c.id, '10.9.0.2');
      expect(cached.statusCode).toBe(down.statusCode);
      expect(op.hits()).toBe(hits);
      now += 61_000;
      const up = await start(c.id, '10.9.0.3');
      expect(up.statusCode, up.body).toBe(302);
      expect(up.headers.location).toContain(op.issuer);
    });

    it('throttles /start per address before any lookup', async () => {
      const c = await kit.connect(admin, t, op);
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push((await start(c.id, '10.9.1.1')).statusCode);
      expect(answers.slice(0, 5)).toEqual([302, 302, 302, 302, 302]);
      expect(answers.slice(5)).toEqual([429, 429]);
      // An unknown connection counts the same: the throttle comes first, so it is no scanner.
      const unknown = await start('00000000-0000-4000-8000-000000000000', '10.9.1.1');
      expect(unknown.statusCode).toBe(429);
      // Another address is not affected.
      expect((await start(c.id, '10.9.1.2')).statusCode).toBe(302);
    });
  });
});
