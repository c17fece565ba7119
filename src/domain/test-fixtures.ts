/**
 * Shared fixtures for the pure domain tests: the default permission catalogue (Kontor's own plus
 * the app permissions of config/app-permissions.yaml), the nine default roles of
 * config/roles.yaml, a small tenant tree and builders for actors, grant targets and requests.
 * Defined inline (no file reads) so the domain tests stay free of I/O.
 */
import { type Actor, buildActor } from './access.js';
import { evaluateGrant, type GrantDecision, type GrantTarget } from './grant-rules.js';
import { type Permission, PermissionCatalogue } from './permissions.js';
import type { Role } from './role.js';
import type { TenantKind } from './tenant.js';
import type { UserType } from './user.js';

const app = (key: string, scope: Permission['scope'], description: string): Permission => ({
  key,
  scope,
  description,
  source: 'app',
});

/** Mirrors config/app-permissions.yaml (version 1). */
export const APP_PERMISSIONS: readonly Permission[] = [
  app('shop.use', 'tenant', 'Use the shop'),
  app('orders.read', 'tenant', 'Read own orders'),
  app('orders.manage', 'tenant', 'Place and change orders'),
  app('invoices.read', 'tenant', 'Read invoices and amounts'),
  app('services.settings', 'tenant', 'Change service settings'),
  app('marketing.campaigns.manage', 'tenant', 'Manage marketing campaigns'),
  app('marketing.leads.read', 'tenant', 'Read marketing leads'),
  app('sales.quotes.manage', 'tenant', 'Manage quotes for customers'),
  app('sales.pricing.read', 'tenant', 'Read price lists and amounts'),
  app('system.jobs.manage', 'system', 'Run and stop background jobs'),
  app('system.config.read', 'system', 'Read system configuration'),
];

export const catalogue = new PermissionCatalogue(APP_PERMISSIONS);

const role = (key: string, category: Role['category'], permissions: string[], description = key): Role => ({
  key,
  name: key,
  category,
  description,
  permissions,
});

/** Mirrors config/roles.yaml. */
export const DEFAULT_ROLES: readonly Role[] = [
  role('AdministrationBasic', 'administration', [
    'tenants.read',
    'users.read',
    'users.create',
    'users.update',
    'users.lock',
    'users.password.reset',
    'users.roles.assign',
    'shares.manage',
    'companies.manage',
    'audit.read',
    'advisories.read',
    'account.password.change',
  ]),
  role('AdministrationAdvanced', 'administration', [
    'tenants.read',
    'tenants.update',
    'users.read',
    'users.create',
    'users.update',
    'users.delete',
    'users.lock',
    'users.password.reset',
    'users.roles.assign',
    'users.export',
    'users.import',
    'shares.manage',
    'companies.manage',
    'fields.manage',
    'audit.read',
    'advisories.read',
    'sso.manage',
    'apps.manage',
    'webhooks.manage',
    'decisions.read',
    'account.password.change',
  ]),
  role('OperationBasic', 'operation', [
    'system.health.read',
    'system.metrics.read',
    'system.roles.read',
    'system.config.read',
  ]),
  role('OperationAdvanced', 'operation', [
    'system.health.read',
    'system.metrics.read',
    'system.roles.read',
    'system.roles.manage',
    'system.events.read',
    'system.jobs.manage',
    'system.config.read',
  ]),
  role('CustomerBasic', 'business', ['tenants.read', 'shop.use', 'orders.read', 'account.password.change']),
  role('CustomerAdvanced', 'business', [
    'tenants.read',
    'shop.use',
    'orders.read',
    'orders.manage',
    'invoices.read',
    'services.settings',
    'account.password.change',
  ]),
  role('Marketing', 'business', [
    'tenants.read',
    'customers.read',
    'marketing.campaigns.manage',
    'marketing.leads.read',
    'account.password.change',
  ]),
  role('SalesBasic', 'business', [
    'tenants.read',
    'customers.read',
    'customers.create',
    'customers.primary.manage',
    'sales.quotes.manage',
    'sales.pricing.read',
    'account.password.change',
  ]),
  role('SalesAdvanced', 'business', [
    'tenants.read',
    'customers.read',
    'customers.create',
    'customers.primary.manage',
    'customers.suspend',
    'customers.move',
    'customers.delete',
    'sales.quotes.manage',
    'sales.pricing.read',
    'account.password.change',
  ]),
];

export const ROLES: ReadonlyMap<string, Role> = new Map(DEFAULT_ROLES.map((r) => [r.key, r]));
export const ROLE_KEYS: readonly string[] = DEFAULT_ROLES.map((r) => r.key);
export const ADMIN_ROLE_KEYS = ['AdministrationBasic', 'AdministrationAdvanced'] as const;
export const OPERATION_ROLE_KEYS = ['OperationBasic', 'OperationAdvanced'] as const;
export const BUSINESS_ROLE_KEYS = [
  'CustomerBasic',
  'CustomerAdvanced',
  'Marketing',
  'SalesBasic',
  'SalesAdvanced',
] as const;

export function rolesOf(keys: readonly string[], roles: ReadonlyMap<string, Role> = ROLES): Role[] {
  return keys.map((k) => {
    const r = roles.get(k);
    if (!r) throw new Error(`fixture: unknown role ${k}`);
    return r;
  });
}

/**
 * The tenant tree of the tests:
 *
 *   root (provider)
 *   ├── reseller
 *   │   ├── consumer
 *   │   ├── subReseller
 *   │   │   └── grandConsumer
 *   │   └── carrier
 *   ├── directConsumer
 *   └── otherReseller
 */
export interface TreeTenant {
  id: string;
  kind: TenantKind;
  parentId: string | null;
}

const node = (id: string, kind: TenantKind, parentId: string | null): TreeTenant => ({
  id,
  kind,
  parentId,
});

export const T = {
  root: node('t-root', 'provider', null),
  reseller: node('t-reseller', 'reseller', 't-root'),
  consumer: node('t-consumer', 'consumer', 't-reseller'),
  subReseller: node('t-sub-reseller', 'reseller', 't-reseller'),
  grandConsumer: node('t-grand-consumer', 'consumer', 't-sub-reseller'),
  carrier: node('t-carrier', 'carrier', 't-reseller'),
  directConsumer: node('t-direct-consumer', 'consumer', 't-root'),
  otherReseller: node('t-other-reseller', 'reseller', 't-root'),
} as const;

export const TENANTS: readonly TreeTenant[] = Object.values(T);
export const ROOT_ID = T.root.id;

let actorSeq = 0;

/** An actor whose home is `home`, acting for `acting` (default: its home). */
export function anActor(opts: {
  home: TreeTenant;
  acting?: TreeTenant;
  roles: readonly string[];
  roleMap?: ReadonlyMap<string, Role>;
  userId?: string;
}): Actor {
  actorSeq += 1;
  return buildActor({
    userId: opts.userId ?? `actor-${actorSeq}`,
    homeTenantId: opts.home.id,
    actingTenantId: (opts.acting ?? opts.home).id,
    isRootUser: opts.home.id === ROOT_ID,
    roles: rolesOf(opts.roles, opts.roleMap),
    catalogue,
  });
}

/** A user whose roles are about to change. */
export function aTarget(opts: {
  home: TreeTenant;
  type?: UserType;
  sharedIntoActingTenant?: boolean;
  userId?: string;
}): GrantTarget {
  return {
    userId: opts.userId ?? `user-of-${opts.home.id}`,
    type: opts.type ?? 'secondary',
    homeTenantId: opts.home.id,
    homeTenantKind: opts.home.kind,
    homeParentId: opts.home.parentId,
    sharedIntoActingTenant: opts.sharedIntoActingTenant ?? false,
  };
}

/** evaluateGrant over the default roles and the fixture tree's root. */
export function grant(
  actor: Actor,
  target: GrantTarget,
  current: readonly string[],
  next: readonly string[],
  roles: ReadonlyMap<string, Role> = ROLES,
): GrantDecision {
  return evaluateGrant({ actor, target, rootTenantId: ROOT_ID, current, next, roles });
}
