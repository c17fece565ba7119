import { describe, expect, it } from 'vitest';
import { can, effectivePermissions, seesTenantData } from './access.js';
import { AppError } from './errors.js';
import {
  evaluateOwnPasswordChange,
  evaluateShareStep,
  type GrantDecision,
  roleAdvisories,
  shareAdvisories,
} from './grant-rules.js';
import { assertValidRoles, type Role, validateRole } from './role.js';
import { anActor, aTarget, catalogue, DEFAULT_ROLES, grant, ROLES, rolesOf, T } from './test-fixtures.js';

const expectAllowed = (d: GrantDecision) => {
  expect(d).toMatchObject({ allowed: true });
  if (!d.allowed) throw new Error(`expected allowed, got ${d.reason}`);
  return d;
};

const expectRefused = (d: GrantDecision, reason: string) => {
  expect(d).toMatchObject({ allowed: false, reason });
};

const adminOf = (home = T.reseller, roles: string[] = ['AdministrationAdvanced']) => anActor({ home, roles });
const salesOf = (home = T.reseller, roles: string[] = ['SalesBasic']) => anActor({ home, roles });

describe('R1 — roles change only for own users', () => {
  it('lets an administrator change the roles of a user of its acting tenant', () => {
    const d = grant(adminOf(), aTarget({ home: T.reseller }), ['CustomerBasic'], ['CustomerBasic', 'Marketing']);
    expect(expectAllowed(d)).toMatchObject({ added: ['Marketing'], removed: [] });
  });

  it('refuses to change a user of a sibling tenant with grant.not_own_user', () => {
    const d = grant(adminOf(), aTarget({ home: T.otherReseller }), [], ['Marketing']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('refuses to change a secondary user of a direct child even for the provider administrator', () => {
    const rootAdmin = adminOf(T.root, ['AdministrationBasic', 'AdministrationAdvanced']);
    const d = grant(rootAdmin, aTarget({ home: T.reseller }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('refuses to change a user of the parent tenant', () => {
    const d = grant(adminOf(T.consumer), aTarget({ home: T.reseller, type: 'primary' }), [], []);
    expectRefused(d, 'grant.not_own_user');
  });

  it('treats users of a tenant the actor reaches through a share as own users there', () => {
    const actor = anActor({
      home: T.consumer,
      acting: T.reseller,
      roles: ['AdministrationBasic'],
    });
    expect(actor.via).toBe('share');
    expectAllowed(grant(actor, aTarget({ home: T.reseller }), [], ['Marketing']));
  });

  it('keeps the home tenant out of reach while the actor acts for another tenant', () => {
    const actor = anActor({ home: T.consumer, acting: T.reseller, roles: ['AdministrationBasic'] });
    const d = grant(actor, aTarget({ home: T.consumer }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('refuses an unknown role before any other rule with role.unknown', () => {
    const d = grant(adminOf(), aTarget({ home: T.otherReseller }), [], ['NoSuchRole']);
    expectRefused(d, 'role.unknown');
  });
});

describe('R2 — only administrators change roles of secondary users', () => {
  it('lets an administrator change the roles of a secondary user', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationBasic']),
      aTarget({ home: T.reseller, type: 'secondary' }),
      ['Marketing'],
      ['SalesBasic'],
    );
    expect(expectAllowed(d)).toMatchObject({ added: ['SalesBasic'], removed: ['Marketing'] });
  });

  it('refuses a non-administrator changing a secondary user with grant.requires_admin', () => {
    const actor = anActor({ home: T.reseller, roles: ['SalesAdvanced', 'CustomerAdvanced', 'Marketing'] });
    const d = grant(actor, aTarget({ home: T.reseller, type: 'secondary' }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.requires_admin');
  });

  it('refuses a non-administrator even when the change only removes a business role', () => {
    const actor = salesOf(T.reseller, ['SalesAdvanced']);
    const d = grant(actor, aTarget({ home: T.reseller }), ['Marketing'], []);
    expectRefused(d, 'grant.requires_admin');
  });

  it('does not let a non-administrator change the own primary user without users.roles.assign', () => {
    const actor = salesOf(T.reseller, ['SalesAdvanced']);
    const d = grant(actor, aTarget({ home: T.reseller, type: 'primary' }), [], ['Marketing']);
    expectRefused(d, 'grant.missing_permission');
  });

  it('requires users.roles.assign even from a holder of an administration role', () => {
    const auditor: Role = {
      key: 'AuditAdmin',
      name: 'Audit admin',
      category: 'administration',
      description: 'reads the log only',
      permissions: ['audit.read'],
    };
    const roles = new Map([...ROLES, [auditor.key, auditor]]);
    const actor = anActor({ home: T.reseller, roles: ['AuditAdmin'], roleMap: roles });
    expect(actor.isAdmin).toBe(true);
    const d = grant(actor, aTarget({ home: T.reseller }), [], ['Marketing'], roles);
    expectRefused(d, 'grant.missing_permission');
  });
});

describe('R3 — operation roles only for users of the root provider', () => {
  it('lets a provider administrator give an operation role to a provider user', () => {
    const d = grant(adminOf(T.root), aTarget({ home: T.root }), [], ['OperationBasic']);
    expect(expectAllowed(d)).toMatchObject({ added: ['OperationBasic'] });
  });

  it('refuses an operation role for a reseller user with grant.operation_role_outside_provider', () => {
    const d = grant(adminOf(T.reseller), aTarget({ home: T.reseller }), [], ['OperationBasic']);
    expectRefused(d, 'grant.operation_role_outside_provider');
  });

  it('refuses an operation role for the primary user of a direct child even through R5', () => {
    const rootSales = salesOf(T.root);
    const target = aTarget({ home: T.reseller, type: 'primary' });
    expectAllowed(grant(rootSales, target, [], ['SalesBasic']));
    expectRefused(
      grant(rootSales, target, [], ['SalesBasic', 'OperationAdvanced']),
      'grant.operation_role_outside_provider',
    );
  });

  it('lets an operation role be removed from a user outside the provider', () => {
    const d = grant(adminOf(T.reseller), aTarget({ home: T.reseller }), ['OperationBasic'], []);
    expect(expectAllowed(d)).toMatchObject({ added: [], removed: ['OperationBasic'] });
  });
});

describe('R4 — an administration role is granted or revoked only by a holder of it', () => {
  it('lets a holder of AdministrationBasic grant AdministrationBasic', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationBasic']),
      aTarget({ home: T.reseller }),
      [],
      ['AdministrationBasic'],
    );
    expect(expectAllowed(d)).toMatchObject({ added: ['AdministrationBasic'] });
  });

  it('rejects an administration role the granter does not hold', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationBasic']),
      aTarget({ home: T.reseller, type: 'primary' }),
      ['AdministrationBasic'],
      ['AdministrationBasic', 'AdministrationAdvanced'],
    );
    expectRefused(d, 'grant.admin_role_not_held');
  });

  it('rejects revoking an administration role the granter does not hold', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationBasic']),
      aTarget({ home: T.reseller }),
      ['AdministrationAdvanced'],
      [],
    );
    expectRefused(d, 'grant.admin_role_not_held');
  });

  it('does not let a holder of AdministrationAdvanced grant AdministrationBasic it does not hold', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationAdvanced']),
      aTarget({ home: T.reseller }),
      [],
      ['AdministrationBasic'],
    );
    expectRefused(d, 'grant.admin_role_not_held');
  });

  it('lets an unchanged administration role stay while other roles change', () => {
    const d = grant(
      adminOf(T.reseller, ['AdministrationBasic']),
      aTarget({ home: T.reseller, type: 'primary' }),
      ['AdministrationAdvanced', 'Marketing'],
      ['AdministrationAdvanced', 'SalesBasic'],
    );
    expect(expectAllowed(d)).toMatchObject({ added: ['SalesBasic'], removed: ['Marketing'] });
  });

  it('does not let an administrator raise its own administration role', () => {
    const actor = anActor({ home: T.reseller, roles: ['AdministrationBasic'], userId: 'me' });
    const self = aTarget({ home: T.reseller, type: 'primary', userId: 'me' });
    expectRefused(
      grant(actor, self, ['AdministrationBasic'], ['AdministrationBasic', 'AdministrationAdvanced']),
      'grant.admin_role_not_held',
    );
  });
});

describe('R5 — the sales function manages the primary user of a direct child', () => {
  const child = aTarget({ home: T.consumer, type: 'primary' });

  it('lets a parent-tenant sales user change the roles of the direct child primary user', () => {
    const d = grant(salesOf(), child, ['CustomerBasic'], ['CustomerAdvanced']);
    expect(expectAllowed(d)).toMatchObject({
      added: ['CustomerAdvanced'],
      removed: ['CustomerBasic'],
    });
  });

  it('lets the provider sales manage the primary user of a direct reseller', () => {
    const d = grant(
      salesOf(T.root, ['SalesAdvanced']),
      aTarget({ home: T.reseller, type: 'primary' }),
      [],
      ['CustomerBasic', 'Marketing', 'SalesBasic'],
    );
    expectAllowed(d);
  });

  it('refuses the primary user of a grandchild with grant.not_own_user', () => {
    const d = grant(salesOf(), aTarget({ home: T.grandConsumer, type: 'primary' }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('refuses a secondary user of the direct child with grant.not_own_user', () => {
    const d = grant(salesOf(), aTarget({ home: T.consumer, type: 'secondary' }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('refuses an actor without customers.primary.manage with grant.not_own_user', () => {
    const marketing = anActor({ home: T.reseller, roles: ['Marketing', 'AdministrationAdvanced'] });
    expect(can(marketing, 'customers.read')).toBe(true);
    expectRefused(grant(marketing, child, [], ['CustomerBasic']), 'grant.not_own_user');
  });

  it('keeps R4: the sales function cannot give an administration role it does not hold', () => {
    expectRefused(
      grant(salesOf(), child, ['CustomerBasic'], ['CustomerBasic', 'AdministrationBasic']),
      'grant.admin_role_not_held',
    );
  });

  it('lets a sales user who also holds AdministrationBasic give it to the child primary user', () => {
    const actor = salesOf(T.reseller, ['SalesBasic', 'AdministrationBasic']);
    expectAllowed(grant(actor, child, [], ['AdministrationBasic']));
  });

  it('does not reach upwards: a child sales user cannot manage the primary user of its parent', () => {
    const d = grant(salesOf(T.subReseller), aTarget({ home: T.reseller, type: 'primary' }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('does not reach sideways: the sales user cannot manage the primary user of a sibling', () => {
    const d = grant(salesOf(T.reseller), aTarget({ home: T.otherReseller, type: 'primary' }), [], ['CustomerBasic']);
    expectRefused(d, 'grant.not_own_user');
  });

  it('still denies a secondary user of the child to an actor R5 allows for its primary user', () => {
    const actor = salesOf(T.reseller, ['SalesAdvanced']);
    expectAllowed(grant(actor, child, [], ['CustomerBasic']));
    expectRefused(
      grant(actor, aTarget({ home: T.consumer, type: 'secondary' }), [], ['CustomerBasic']),
      'grant.not_own_user',
    );
  });
});

describe('R6 — roles of a shared user are read-only outside its home tenant', () => {
  it('lets the home tenant administrator change the roles of a shared user', () => {
    const d = grant(adminOf(T.consumer), aTarget({ home: T.consumer }), ['CustomerBasic'], []);
    expectAllowed(d);
  });

  it('refuses the importing tenant with grant.shared_user_read_only', () => {
    const sharedIn = aTarget({ home: T.otherReseller, sharedIntoActingTenant: true });
    const d = grant(adminOf(T.reseller), sharedIn, ['Marketing'], ['Marketing', 'SalesBasic']);
    expectRefused(d, 'grant.shared_user_read_only');
  });

  it('refuses the importing tenant even for removing a role', () => {
    const sharedIn = aTarget({ home: T.consumer, sharedIntoActingTenant: true });
    const actor = adminOf(T.reseller, ['AdministrationBasic', 'AdministrationAdvanced']);
    expectRefused(grant(actor, sharedIn, ['CustomerBasic'], []), 'grant.shared_user_read_only');
  });

  it('refuses a shared-in secondary user of a direct child even to the sales function', () => {
    const sharedIn = aTarget({ home: T.consumer, type: 'secondary', sharedIntoActingTenant: true });
    expectRefused(grant(salesOf(), sharedIn, [], ['CustomerBasic']), 'grant.shared_user_read_only');
  });
});

describe('R7 — operation roles see no customer data and no amounts', () => {
  it('drops system permissions for users outside the root provider', () => {
    const roles = rolesOf(['OperationAdvanced', 'CustomerBasic']);
    const outside = effectivePermissions(roles, false, catalogue);
    expect([...outside].filter((p) => p.startsWith('system.'))).toEqual([]);
    expect(outside.has('shop.use')).toBe(true);
    const inside = effectivePermissions(roles, true, catalogue);
    expect(inside.has('system.events.read')).toBe(true);
    expect(inside.has('system.jobs.manage')).toBe(true);
  });

  it('gives a permission missing from the catalogue to nobody', () => {
    const ghost: Role = { ...(rolesOf(['CustomerBasic'])[0] as Role), permissions: ['ghost.read'] };
    expect(effectivePermissions([ghost], true, catalogue).size).toBe(0);
  });

  it('lets a provider user with only operation roles see no tenant data', () => {
    const op = anActor({ home: T.root, roles: ['OperationBasic', 'OperationAdvanced'] });
    expect(can(op, 'system.health.read')).toBe(true);
    expect(seesTenantData(op, catalogue)).toBe(false);
  });

  it('lets a provider user with an operation and a business role see tenant data', () => {
    const mixed = anActor({ home: T.root, roles: ['OperationBasic', 'SalesBasic'] });
    expect(seesTenantData(mixed, catalogue)).toBe(true);
  });

  it('denies an operation-only user every customer and amount permission', () => {
    const op = anActor({ home: T.root, roles: ['OperationAdvanced'] });
    for (const p of [
      'customers.read',
      'invoices.read',
      'sales.pricing.read',
      'orders.read',
      'audit.read',
      'users.read',
    ]) {
      expect(can(op, p), p).toBe(false);
    }
  });

  it('leaves a user outside the provider with an operation role without any permission', () => {
    const op = anActor({ home: T.reseller, roles: ['OperationAdvanced'] });
    expect(op.permissions.size).toBe(0);
    expect(seesTenantData(op, catalogue)).toBe(false);
  });

  it('accepts the default roles and an operation role holding only system permissions', () => {
    expect(() => assertValidRoles([...DEFAULT_ROLES], catalogue)).not.toThrow();
    const op = ROLES.get('OperationAdvanced') as Role;
    expect(validateRole(op, catalogue)).toEqual([]);
  });

  it('refuses an operation role that holds a tenant permission', () => {
    const leaky: Role = {
      key: 'OperationLeaky',
      name: 'Leaky',
      category: 'operation',
      description: 'reads invoices',
      permissions: ['system.health.read', 'invoices.read'],
    };
    expect(validateRole(leaky, catalogue)).toEqual([
      expect.objectContaining({ field: 'permissions', code: 'role.operation_tenant_permission' }),
    ]);
    let thrown: unknown;
    try {
      assertValidRoles([leaky], catalogue);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'role.invalid_definition' });
  });

  it('lets a business role hold the same tenant permission the operation role may not', () => {
    const business: Role = {
      key: 'Billing',
      name: 'Billing',
      category: 'business',
      description: 'reads invoices',
      permissions: ['invoices.read'],
    };
    expect(validateRole(business, catalogue)).toEqual([]);
  });
});

describe('R8 — changing the own password', () => {
  it('allows a customer role to change its own password', () => {
    const customer = anActor({ home: T.consumer, roles: ['CustomerBasic'] });
    expect(evaluateOwnPasswordChange(customer, false)).toEqual({ allowed: true });
  });

  it('refuses a user without account.password.change with grant.password_change_not_allowed', () => {
    const op = anActor({ home: T.root, roles: ['OperationBasic'] });
    expect(evaluateOwnPasswordChange(op, false)).toEqual({
      allowed: false,
      reason: 'grant.password_change_not_allowed',
    });
  });

  it('allows a forced password change even without the permission', () => {
    const op = anActor({ home: T.root, roles: ['OperationBasic'] });
    expect(evaluateOwnPasswordChange(op, true)).toEqual({ allowed: true });
  });

  it('does not let a customer who may change its own password reset or assign for others', () => {
    const customer = anActor({ home: T.consumer, roles: ['CustomerAdvanced'] });
    expect(evaluateOwnPasswordChange(customer, false).allowed).toBe(true);
    expect(can(customer, 'users.password.reset')).toBe(false);
    expectRefused(
      grant(customer, aTarget({ home: T.consumer, type: 'primary' }), [], ['CustomerBasic']),
      'grant.missing_permission',
    );
  });
});

describe('advisories of a role set', () => {
  const codes = (ws: { code: string }[]) => ws.map((w) => w.code).sort();

  it('warns about an administration role on a secondary user', () => {
    expect(
      codes(roleAdvisories({ type: 'secondary', homeTenantKind: 'reseller' }, ['AdministrationBasic'], ROLES)),
    ).toEqual(['advisory.admin_role_on_secondary']);
  });

  it('warns about an administration role on a consumer user', () => {
    expect(
      codes(roleAdvisories({ type: 'primary', homeTenantKind: 'consumer' }, ['AdministrationBasic'], ROLES)),
    ).toEqual(['advisory.consumer_admin']);
    expect(
      codes(roleAdvisories({ type: 'secondary', homeTenantKind: 'consumer' }, ['AdministrationAdvanced'], ROLES)),
    ).toEqual(['advisory.admin_role_on_secondary', 'advisory.consumer_admin']);
  });

  it('warns about more than AdministrationBasic for a subordinate reseller primary user', () => {
    expect(
      codes(roleAdvisories({ type: 'primary', homeTenantKind: 'reseller' }, ['AdministrationAdvanced'], ROLES)),
    ).toEqual(['advisory.reseller_primary_above_basic']);
    expect(roleAdvisories({ type: 'primary', homeTenantKind: 'reseller' }, ['AdministrationBasic'], ROLES)).toEqual([]);
  });

  it('gives no warning for business roles only or for the provider primary administrator', () => {
    expect(
      roleAdvisories({ type: 'secondary', homeTenantKind: 'consumer' }, ['CustomerAdvanced', 'Marketing'], ROLES),
    ).toEqual([]);
    expect(roleAdvisories({ type: 'primary', homeTenantKind: 'provider' }, ['AdministrationAdvanced'], ROLES)).toEqual(
      [],
    );
  });

  it('returns the warnings of the resulting role set with an allowed grant', () => {
    const d = grant(
      adminOf(T.consumer, ['AdministrationBasic']),
      aTarget({ home: T.consumer, type: 'secondary' }),
      [],
      ['AdministrationBasic'],
    );
    expect(codes(expectAllowed(d).warnings)).toEqual(['advisory.admin_role_on_secondary', 'advisory.consumer_admin']);
  });

  it('warns through R5 when a reseller primary user gets more than AdministrationBasic', () => {
    const actor = salesOf(T.root, ['SalesBasic', 'AdministrationAdvanced']);
    const d = grant(actor, aTarget({ home: T.reseller, type: 'primary' }), [], ['AdministrationAdvanced']);
    expect(codes(expectAllowed(d).warnings)).toEqual(['advisory.reseller_primary_above_basic']);
  });
});

describe('advisories of a share', () => {
  const codes = (ws: { code: string }[]) => ws.map((w) => w.code).sort();

  it('warns about sharing a user with an administration role', () => {
    expect(codes(shareAdvisories({ type: 'secondary', roleKeys: ['AdministrationBasic'] }, ROLES))).toEqual([
      'advisory.shared_admin',
    ]);
  });

  it('warns about sharing the primary user', () => {
    expect(codes(shareAdvisories({ type: 'primary', roleKeys: ['SalesBasic'] }, ROLES))).toEqual([
      'advisory.shared_primary',
    ]);
    expect(codes(shareAdvisories({ type: 'primary', roleKeys: ['AdministrationAdvanced'] }, ROLES))).toEqual([
      'advisory.shared_admin',
      'advisory.shared_primary',
    ]);
  });

  it('gives no warning for a secondary user with business roles', () => {
    expect(shareAdvisories({ type: 'secondary', roleKeys: ['Marketing', 'SalesBasic'] }, ROLES)).toEqual([]);
  });
});

describe('a share step (release or import)', () => {
  it('lets an administrator release a user with business roles', () => {
    const d = evaluateShareStep(adminOf(T.reseller, ['AdministrationBasic']), ['Marketing'], ROLES);
    expect(d).toEqual({ allowed: true, added: [], removed: [], warnings: [] });
  });

  it('refuses a non-administrator with grant.requires_admin', () => {
    const d = evaluateShareStep(salesOf(T.reseller, ['SalesAdvanced']), ['Marketing'], ROLES);
    expectRefused(d, 'grant.requires_admin');
  });

  it('refuses an administrator whose roles lack shares.manage with grant.requires_admin', () => {
    const auditor: Role = {
      key: 'AuditAdmin',
      name: 'Audit admin',
      category: 'administration',
      description: 'reads the log only',
      permissions: ['audit.read'],
    };
    const roles = new Map([...ROLES, [auditor.key, auditor]]);
    const actor = anActor({ home: T.reseller, roles: ['AuditAdmin'], roleMap: roles });
    expectRefused(evaluateShareStep(actor, [], roles), 'grant.requires_admin');
  });

  it('refuses bringing in an administration role the administrator does not hold', () => {
    const actor = adminOf(T.reseller, ['AdministrationBasic']);
    expectAllowed(evaluateShareStep(actor, ['AdministrationBasic', 'Marketing'], ROLES));
    expectRefused(
      evaluateShareStep(actor, ['AdministrationAdvanced', 'Marketing'], ROLES),
      'grant.admin_role_not_held',
    );
  });
});
