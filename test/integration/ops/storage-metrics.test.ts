import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reposFor, unitOfWork } from '../../../src/storage/store.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';
import { parseExposition, seriesValue } from './exposition.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

// No waiting: the retry pauses are skipped.
const instant = { now: () => 0, sleep: async () => undefined, random: () => 0.5 };
const serializationFailure = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

async function counts() {
  const e = parseExposition((await k.metrics.scrape()).body);
  return {
    faults: seriesValue(e, 'kontor_storage_faults_total', { kind: 'conflict', stage: 'rejected' }),
    retries: seriesValue(e, 'kontor_storage_retries_total', { kind: 'conflict' }),
    unavailable: seriesValue(e, 'kontor_storage_faults_total', { kind: 'unavailable' }),
  };
}

describe('storage metrics', () => {
  it('counts each transient fault by class and each retry, the last failed attempt included', async () => {
    const before = await counts();
    let attempts = 0;
    const store = unitOfWork(k.db.kysely, reposFor, instant);
    await store.transaction(async (r) => {
      if (++attempts < 3) throw serializationFailure();
      return r.tenants.findRoot();
    });
    const mid = await counts();
    expect(mid.faults - before.faults).toBe(2);
    expect(mid.retries - before.retries).toBe(2);
    // Attempts exhausted (5 by default): five faults, four retries, then the error leaves.
    await expect(
      store.read(async () => {
        throw serializationFailure();
      }),
    ).rejects.toMatchObject({ code: 'resource.conflict' });
    const after = await counts();
    expect(after.faults - mid.faults).toBe(5);
    expect(after.retries - mid.retries).toBe(4);
    expect(after.unavailable).toBe(before.unavailable);
  });

  it('counts nothing for errors that are no storage fault', async () => {
    const before = await counts();
    const store = unitOfWork(k.db.kysely, reposFor, instant);
    await expect(store.read(async () => Promise.reject(new Error('a bug')))).rejects.toThrow('a bug');
    expect(await counts()).toEqual(before);
  });
});
