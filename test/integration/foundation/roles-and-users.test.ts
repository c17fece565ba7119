import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/app/assign-roles.js';
import { changeOwnPassword } from '../../../src/app/auth/passwords.js';
import { createField } from '../../../src/app/companies.js';
import { createUser } from '../../../src/app/create-user.js';
import { deleteUser, setUserState, updateUser } from '../../../src/app/manage-user.js';
import { acceptShare, endShare, releaseShare } from '../../../src/app/shares.js';
import { createChildTenant } from '../../../src/app/tenants.js';
import { getUser, listUsers } from '../../../src/app/user-queries.js';
import { authDepsOf, TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const roles = (userId: string, tenantId: string) => k.deps.store.read((r) => r.roles.userRoles(tenantId, userId));

describe('grant rules through the use cases', () => {
  it('R1: refuses role changes for a user of another tenant, with nothing written', async () => {
    const a = await k.aTenant(k.root, 'reseller');
    const b = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(a, ['AdministrationAdvanced', 'AdministrationBasic']);
    const stranger = await k.aUserIn(b, ['CustomerBasic']);
    const before = await k.counts();
    // A user of an unrelated tenant is not even visible: same answer as a missing id.
    await expect(
      assignRoles(k.deps, await k.ctx(admin), { userId: stranger.id, roles: ['Marketing'] }),
    ).rejects.toMatchObject({
      code: 'resource.not_found',
    });
    expect(await k.counts()).toEqual(before);
  });

  it('R2: only administrators change roles of secondary users', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const sales = await k.aUserIn(t, ['SalesAdvanced']);
    const admin = await k.aUserIn(t, ['AdministrationBasic']);
    const staff = await k.aUserIn(t, []);
    await expect(
      assignRoles(k.deps, await k.ctx(sales), { userId: staff.id, roles: ['Marketing'] }),
    ).rejects.toMatchObject({
      code: 'grant.requires_admin',
    });
    expect(await roles(staff.id, t.id)).toEqual([]);
    const ok = await assignRoles(k.deps, await k.ctx(admin), { userId: staff.id, roles: ['Marketing'] });
    expect(ok.roles).toEqual(['Marketing']);
    expect(await roles(staff.id, t.id)).toEqual(['Marketing']);
  });

  it('R3: operation roles only for users of the root provider', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(t, ['AdministrationBasic']);
    const staff = await k.aUserIn(t, []);
    await expect(
      assignRoles(k.deps, await k.ctx(admin), { userId: staff.id, roles: ['OperationBasic'] }),
    ).rejects.toMatchObject({
      code: 'grant.operation_role_outside_provider',
    });
    const rootOps = await k.aUserIn(k.root, []);
    const res = await assignRoles(k.deps, await k.ctx(k.rootAdmin), { userId: rootOps.id, roles: ['OperationBasic'] });
    expect(res.roles).toEqual(['OperationBasic']);
  });

  it('R4: nobody grants or revokes an administration role he does not hold', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const basic = await k.aUserIn(t, ['AdministrationBasic']);
    const staff = await k.aUserIn(t, []);
    const advanced = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(basic);
    await expect(
      assignRoles(k.deps, ctx, { userId: staff.id, roles: ['AdministrationAdvanced'] }),
    ).rejects.toMatchObject({
      code: 'grant.admin_role_not_held',
    });
    await expect(assignRoles(k.deps, ctx, { userId: advanced.id, roles: [] })).rejects.toMatchObject({
      code: 'grant.admin_role_not_held',
    });
    const granted = await assignRoles(k.deps, ctx, { userId: staff.id, roles: ['AdministrationBasic'] });
    expect(granted.warnings.map((w) => w.code)).toContain('advisory.admin_role_on_secondary');
  });

  it('R5: a parent’s sales staff manage the primary login of a direct customer, not more', async () => {
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    const ctx = await k.ctx(sales);
    const { tenant, primaryUser } = await createChildTenant(k.deps, ctx, {
      parentId: k.root.id,
      kind: 'consumer',
      name: 'Müller GmbH',
      slug: 'mueller',
      primaryUser: { loginName: 'chef@mueller.example', roles: ['CustomerBasic'] },
    });
    expect(primaryUser?.type).toBe('primary');
    const changed = await assignRoles(k.deps, ctx, { userId: primaryUser!.id, roles: ['CustomerAdvanced'] });
    expect(changed.roles).toEqual(['CustomerAdvanced']);
    await setUserState(k.deps, ctx, { userId: primaryUser!.id, state: 'locked' });
    // R4 still applies: sales does not hold an administration role.
    await expect(
      assignRoles(k.deps, ctx, { userId: primaryUser!.id, roles: ['AdministrationBasic'] }),
    ).rejects.toMatchObject({
      code: 'grant.admin_role_not_held',
    });
    // R3 still applies.
    await expect(
      assignRoles(k.deps, ctx, { userId: primaryUser!.id, roles: ['OperationBasic'] }),
    ).rejects.toMatchObject({
      code: 'grant.operation_role_outside_provider',
    });
    // Neighbours stay denied: a secondary user of the customer is not visible to sales.
    const secondary = await k.aUserIn(tenant, []);
    await expect(assignRoles(k.deps, ctx, { userId: secondary.id, roles: ['CustomerBasic'] })).rejects.toMatchObject({
      code: 'resource.not_found',
    });
    // …and the primary user of a grandchild is not either.
    const sub = await k.aTenant(k.root, 'reseller');
    const grandchild = await k.aTenant(sub, 'consumer');
    const gcPrimary = await k.aUserIn(grandchild, [], { type: 'primary' });
    await expect(assignRoles(k.deps, ctx, { userId: gcPrimary.id, roles: ['CustomerBasic'] })).rejects.toMatchObject({
      code: 'resource.not_found',
    });
  });

  it('R5: refuses creating the customer’s primary login without customers.primary.manage', async () => {
    const marketing = await k.aUserIn(k.root, ['Marketing']);
    const c = await k.aTenant(k.root, 'consumer');
    const before = await k.counts();
    await expect(
      createUser(k.deps, await k.ctx(marketing), { tenantId: c.id, loginName: 'boss', type: 'primary' }),
    ).rejects.toMatchObject({ code: 'grant.missing_permission' });
    expect(await k.counts()).toEqual(before);
  });

  it('R6: a shared user’s roles are visible but read-only in the importing tenant', async () => {
    const msp = await k.aTenant(k.root, 'reseller');
    const customer = await k.aTenant(msp, 'consumer');
    const mspAdmin = await k.aUserIn(msp, ['AdministrationBasic']);
    const tech = await k.aUserIn(msp, ['CustomerAdvanced']);
    const custAdmin = await k.aUserIn(customer, ['AdministrationBasic'], { type: 'primary' });
    const { share } = await releaseShare(k.deps, await k.ctx(mspAdmin), { userId: tech.id, tenantId: customer.id });
    await acceptShare(k.deps, await k.ctx(custAdmin), share.id);
    const custCtx = await k.ctx(custAdmin);
    const seen = await getUser(k.deps, custCtx, tech.id);
    expect(seen.roles).toEqual(['CustomerAdvanced']);
    expect(seen.rolesReadOnly).toBe(true);
    await expect(assignRoles(k.deps, custCtx, { userId: tech.id, roles: [] })).rejects.toMatchObject({
      code: 'grant.shared_user_read_only',
    });
    await expect(setUserState(k.deps, custCtx, { userId: tech.id, state: 'locked' })).rejects.toMatchObject({
      code: 'grant.shared_user_read_only',
    });
    // The home tenant can still change them; in the customer tenant a role it did not accept has no
    // effect until it accepts again (share consent, issue 20 #2); the tech still acts there.
    expect((await k.ctx(tech, customer.id)).actor.permissions.has('orders.manage')).toBe(true);
    await assignRoles(k.deps, await k.ctx(mspAdmin), { userId: tech.id, roles: ['CustomerBasic'] });
    const techThere = await k.ctx(tech, customer.id);
    expect(techThere.actor.permissions.has('shop.use')).toBe(false);
    expect(techThere.actor.permissions.has('orders.manage')).toBe(false);
    const again = await acceptShare(k.deps, await k.ctx(custAdmin), share.id);
    expect(again.share.acceptedRoles).toEqual(['CustomerBasic']);
    expect((await k.ctx(tech, customer.id)).actor.permissions.has('shop.use')).toBe(true);
    // Nothing new to accept: a second re-accept is refused, and writes no event.
    await expect(acceptShare(k.deps, await k.ctx(custAdmin), share.id)).rejects.toMatchObject({
      code: 'share.not_offered',
    });
    const list = await listUsers(k.deps, custCtx, { tenantId: customer.id });
    expect(list.items.find((u) => u.id === tech.id)?.relation).toBe('shared');
    // Ending the share ends acting there at once.
    await endShare(k.deps, await k.ctx(mspAdmin), share.id);
    await expect(k.ctx(tech, customer.id)).rejects.toMatchObject({ code: 'auth.unauthenticated' });
  });

  it('R6: importing a user that holds an administration role the importer lacks is refused (R4)', async () => {
    const msp = await k.aTenant(k.root, 'reseller');
    const customer = await k.aTenant(msp, 'consumer');
    const mspAdmin = await k.aUserIn(msp, ['AdministrationAdvanced', 'AdministrationBasic']);
    const custAdmin = await k.aUserIn(customer, ['AdministrationBasic'], { type: 'primary' });
    const { share, warnings } = await releaseShare(k.deps, await k.ctx(mspAdmin), {
      userId: mspAdmin.id,
      tenantId: customer.id,
    });
    expect(warnings.map((w) => w.code)).toContain('advisory.shared_admin');
    await expect(acceptShare(k.deps, await k.ctx(custAdmin), share.id)).rejects.toMatchObject({
      code: 'grant.admin_role_not_held',
    });
  });

  it('R7: an operation-only user of the provider sees no customer data', async () => {
    const ops = await k.aUserIn(k.root, ['OperationAdvanced']);
    const ctx = await k.ctx(ops);
    expect(ctx.actor.permissions.has('system.health.read')).toBe(true);
    await expect(listUsers(k.deps, ctx, { tenantId: k.root.id })).rejects.toMatchObject({ code: 'grant.system_only' });
    // Operation roles never count outside the provider (R3 prevents it; effective set too).
    const t = await k.aTenant(k.root, 'reseller');
    const smuggled = await k.aUserIn(t, ['OperationAdvanced']);
    expect((await k.ctx(smuggled)).actor.permissions.size).toBe(0);
  });

  it('R8: changing one’s own password needs account.password.change and the current password', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const customer = await k.aUserIn(t, ['CustomerBasic'], { password: TEST_PASSWORD });
    const noRight = await k.aUserIn(
      t,
      ['Marketing'].filter(() => false),
      { password: TEST_PASSWORD },
    );
    await expect(
      changeOwnPassword(authDepsOf(k), await k.ctx(noRight), {
        currentPassword: TEST_PASSWORD,
        newPassword: 'a brand new passphrase here',
      }),
    ).rejects.toMatchObject({ code: 'grant.password_change_not_allowed' });
    await expect(
      changeOwnPassword(authDepsOf(k), await k.ctx(customer), {
        currentPassword: 'wrong wrong wrong wrong',
        newPassword: 'a brand new passphrase here',
      }),
    ).rejects.toMatchObject({ code: 'validation.invalid' });
    await changeOwnPassword(authDepsOf(k), await k.ctx(customer), {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a brand new passphrase here',
    });
    const hash = await k.deps.store.read((r) => r.users.passwordHash(t.id, customer.id));
    expect(await k.deps.hasher.verify(hash as string, 'a brand new passphrase here')).toBe(true);
  });
});

describe('users', () => {
  it('keeps login names unique per tenant regardless of case, but not across tenants', async () => {
    const a = await k.aTenant(k.root, 'consumer');
    const b = await k.aTenant(k.root, 'consumer');
    const adminA = await k.aUserIn(a, ['AdministrationAdvanced']);
    const adminB = await k.aUserIn(b, ['AdministrationAdvanced']);
    await createUser(k.deps, await k.ctx(adminA), { tenantId: a.id, loginName: 'msp-admin@dienstleister.tld' });
    await expect(
      createUser(k.deps, await k.ctx(adminA), { tenantId: a.id, loginName: 'MSP-Admin@Dienstleister.tld' }),
    ).rejects.toMatchObject({ code: 'user.login_taken' });
    await createUser(k.deps, await k.ctx(adminB), { tenantId: b.id, loginName: 'msp-admin@dienstleister.tld' });
  });

  it('refuses a second primary user', async () => {
    const sales = await k.aUserIn(k.root, ['SalesBasic']);
    const c = await k.aTenant(k.root, 'consumer');
    await createUser(k.deps, await k.ctx(sales), { tenantId: c.id, loginName: 'first', type: 'primary' });
    await expect(
      createUser(k.deps, await k.ctx(sales), { tenantId: c.id, loginName: 'second', type: 'primary' }),
    ).rejects.toMatchObject({
      code: 'user.primary_exists',
    });
  });

  it('validates custom field values on every write', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    await createField(k.deps, ctx, {
      tenantId: t.id,
      key: 'cost_centre',
      label: 'Cost centre',
      type: 'number',
      required: true,
    });
    await expect(createUser(k.deps, ctx, { tenantId: t.id, loginName: 'x1' })).rejects.toMatchObject({
      code: 'validation.field_value',
    });
    await expect(
      createUser(k.deps, ctx, { tenantId: t.id, loginName: 'x1', customFields: { cost_centre: 'abc' } }),
    ).rejects.toMatchObject({ code: 'validation.field_value' });
    const { user } = await createUser(k.deps, ctx, {
      tenantId: t.id,
      loginName: 'x1',
      customFields: { cost_centre: 4711 },
    });
    expect(user.customFields).toEqual({ cost_centre: 4711 });
    await expect(
      updateUser(k.deps, ctx, { userId: user.id, customFields: { cost_centre: null } }),
    ).rejects.toMatchObject({
      code: 'validation.field_value',
    });
  });

  it('rejects a stale version on update', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    const { user } = await createUser(k.deps, ctx, { tenantId: t.id, loginName: 'v1' });
    await updateUser(k.deps, ctx, { userId: user.id, displayName: 'One', expectedVersion: user.version });
    await expect(
      updateUser(k.deps, ctx, { userId: user.id, displayName: 'Two', expectedVersion: user.version }),
    ).rejects.toMatchObject({
      code: 'resource.stale',
    });
  });

  it('a locked user can no longer act; deleting ends its shares', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const u = await k.aUserIn(t, ['CustomerBasic']);
    await setUserState(k.deps, await k.ctx(admin), { userId: u.id, state: 'locked' });
    await expect(k.ctx(u)).rejects.toMatchObject({ code: 'auth.unauthenticated' });
    await deleteUser(k.deps, await k.ctx(admin), { userId: u.id });
    expect(await k.deps.store.read((r) => r.users.findInTenant(t.id, u.id))).toBeUndefined();
  });
});
