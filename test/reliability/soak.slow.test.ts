import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak.js';
import { DEFAULT_DATABASE_URL } from './instances.js';

// `npm run test:reliability`: one minute of the soak's mixed workload against two instances on
// PostgreSQL (DATABASE_URL, else the local default); every request must get its expected answer.
describe('soak', () => {
  it('serves a one-minute mixed workload on two instances without a single error', async () => {
    const r = await runSoak({
      minutes: 1,
      databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      clients: 6,
      sampleSeconds: 10,
      // One minute is mostly warm-up; the memory verdict belongs to the longer runs.
      maxGrowthPercent: Number.POSITIVE_INFINITY,
      log: () => {},
    });
    expect(r.errorSamples).toEqual([]);
    expect(r.errors).toBe(0);
    expect(r.requests).toBeGreaterThan(100);
    for (const kind of ['check', 'me', 'users.list', 'signin', 'roles', 'share.offer', 'share.import', 'share.end']) {
      expect(r.kinds.find((k) => k.kind === kind)?.count, kind).toBeGreaterThan(0);
    }
  });
});
