import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/app/assign-roles.js';
import { createCompany } from '../../../src/app/companies.js';
import { createUser } from '../../../src/app/create-user.js';
import { updateUser } from '../../../src/app/manage-user.js';
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

describe.runIf(onPostgres())('concurrent changes of one user on PostgreSQL', () => {
  it('serialises role changes: all succeed and the final set is one of those asked for', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(t, ['AdministrationBasic']);
    const target = await k.aUserIn(t, []);
    const ctx = await k.ctx(admin);
    const sets = [['Marketing'], ['CustomerBasic'], ['SalesBasic', 'Marketing'], ['CustomerAdvanced'], []];
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) =>
        assignRoles(k.deps, ctx, { userId: target.id, roles: sets[i % sets.length] }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const final = await k.deps.store.read((r) => r.roles.userRoles(t.id, target.id));
    expect(sets.map((s) => [...s].sort().join())).toContain(final.join());
    // Replaying the audited changes from nothing gives the committed state.
    const events = (
      await k.deps.store.read((r) => r.audit.list(t.id, { limit: 100, action: 'user.roles_changed' }))
    ).reverse();
    const replay = new Set<string>();
    for (const e of events) {
      for (const role of e.details.removed as string[]) replay.delete(role);
      for (const role of e.details.added as string[]) replay.add(role);
    }
    expect([...replay].sort()).toEqual(final);
  });

  it('serialises company changes of one user: no conflict errors', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const target = await k.aUserIn(t, []);
    const ctx = await k.ctx(admin);
    const a = await createCompany(k.deps, ctx, { tenantId: t.id, name: 'A' });
    const b = await createCompany(k.deps, ctx, { tenantId: t.id, name: 'B' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        updateUser(k.deps, ctx, { userId: target.id, companyIds: i % 2 ? [a.id, b.id] : [b.id] }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
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
