import { describe, expect, it } from 'vitest';
import { httpKit } from '../integration/http/http-kit.js';
import { TEST_PASSWORD } from '../fixtures/kontor.js';

describe('probe', () => {
  it('right password into a suspended tenant, then resumed', async () => {
    const h = await httpKit({ login: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, windowSeconds: 900 } });
    try {
      const t = await h.k.aTenant(h.k.root, 'reseller');
      const u = await h.k.aUserIn(t, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'probe' });
      await h.k.db.kysely.updateTable('tenants').set({ status: 'suspended' }).where('id', '=', t.id).execute();
      for (let i = 0; i < 4; i++) {
        const r = await h.login(t, 'probe');
        console.log('suspended attempt', i + 1, r.statusCode, r.json().code);
      }
      const rows = await h.k.db.kysely.selectFrom('throttle_counters').selectAll().execute();
      console.log(rows);
      await h.k.db.kysely.updateTable('tenants').set({ status: 'active' }).where('id', '=', t.id).execute();
      const ok = await h.login(t, 'probe');
      console.log('after resume', ok.statusCode, ok.body);
      expect(ok.statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});
