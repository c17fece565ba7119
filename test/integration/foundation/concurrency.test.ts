import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../src/app/create-user.js';
import { isAppError } from '../../../src/domain/errors.js';
import { onPostgres, type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

// On PGlite every transaction is serialised by the single connection; the races are real
// only on PostgreSQL, where the pool runs them in parallel.
describe.runIf(onPostgres())('concurrent writes on PostgreSQL', () => {
  it('20 concurrent creations of a tenant’s primary user give one success and clean conflicts', async () => {
    const c = await k.aTenant(k.root, 'consumer');
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    const ctx = await k.ctx(sales);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        createUser(k.deps, ctx, { tenantId: c.id, loginName: `primary${i}`, type: 'primary' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(isAppError(r.reason)).toBe(true);
        expect(r.reason.code).toBe('user.primary_exists');
      }
    }
  });

  it('20 concurrent creations of one login name give one success and clean conflicts', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => createUser(k.deps, ctx, { tenantId: t.id, loginName: 'same.name' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason.code).toBe('user.login_taken');
    }
  });

  it('keeps the audit chain of one tenant unbroken under concurrent writers', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => createUser(k.deps, ctx, { tenantId: t.id, loginName: `c${i}` })),
    );
    const { verifyAudit } = await import('../../../src/app/audit-log.js');
    const { sha256 } = await import('../../../src/storage/sha256.js');
    const report = await k.deps.store.read((r) => verifyAudit(r, t.id, sha256));
    expect(report.events).toBe(20);
    expect(report.problems).toEqual([]);
  });
});

describe('concurrent writes on any database', () => {
  it('two overlapping primary creations never leave two primaries', async () => {
    const c = await k.aTenant(k.root, 'consumer');
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    const ctx = await k.ctx(sales);
    await Promise.allSettled([
      createUser(k.deps, ctx, { tenantId: c.id, loginName: 'p1', type: 'primary' }),
      createUser(k.deps, ctx, { tenantId: c.id, loginName: 'p2', type: 'primary' }),
    ]);
    const primaries = (await k.deps.store.read((r) => r.users.list(c.id, { limit: 10 }, new Date()))).items.filter(
      (u) => u.type === 'primary',
    );
    expect(primaries).toHaveLength(1);
  });
});
