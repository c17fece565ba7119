import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRoles } from '../../../src/app/roles.js';
import { getTenant } from '../../../src/app/tenants.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const defaults = () => readRolesFile('config/roles.yaml');
const list = () => k.deps.store.read((r) => r.roles.list());

describe('roles apply', () => {
  it('shows the diff on a dry run and changes nothing', async () => {
    const before = await list();
    const next = defaults().map((r) =>
      r.key === 'Marketing' ? { ...r, permissions: [...r.permissions, 'orders.read'] } : r,
    );
    next.push({ key: 'Support', name: 'Support', category: 'business', description: '', permissions: ['users.read'] });
    const { diff, applied } = await applyRoles(k.deps, null, next, { dryRun: true });
    expect(applied).toBe(false);
    expect(diff.added.map((r) => r.key)).toEqual(['Support']);
    expect(diff.changed.map((c) => c.after.key)).toEqual(['Marketing']);
    expect(await list()).toEqual(before);
  });

  it('applies the diff, audits it, and a changed role takes effect on the next request', async () => {
    const user = await k.aUserIn(k.root, ['Marketing']);
    const next = defaults().map((r) =>
      r.key === 'Marketing' ? { ...r, permissions: r.permissions.filter((p) => p !== 'tenants.read') } : r,
    );
    await expect(getTenant(k.deps, await k.ctx(user), k.root.id)).resolves.toBeTruthy();
    await applyRoles(k.deps, null, next, { dryRun: false });
    await expect(getTenant(k.deps, await k.ctx(user), k.root.id)).rejects.toMatchObject({
      code: 'grant.missing_permission',
    });
    const [event] = await k.deps.store.read((r) =>
      r.audit.list(k.root.id, { limit: 1, action: 'system.roles_applied' }),
    );
    expect(event?.details).toMatchObject({ changed: ['Marketing'] });
  });

  it('refuses to remove a role that is still assigned', async () => {
    await k.aUserIn(k.root, ['SalesBasic']);
    const next = defaults().filter((r) => r.key !== 'SalesBasic');
    await expect(applyRoles(k.deps, null, next, { dryRun: false })).rejects.toMatchObject({
      code: 'role.invalid_definition',
    });
    expect((await list()).map((r) => r.key)).toContain('SalesBasic');
  });
});
