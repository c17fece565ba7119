/**
 * Kontor's own permission catalogue. It is fixed in code (seed 001: "Die Einzelberechtigungen
 * selbst sind softwaretechnisch fix"); apps add theirs through the app catalogue file.
 * `tenant` permissions act on data of the acting tenant (or its direct children for
 * `customers.*`); `system` permissions touch no tenant data and count only for users of the root.
 */
export type PermissionScope = 'tenant' | 'system';

export interface Permission {
  key: string;
  scope: PermissionScope;
  description: string;
  /** Where the permission comes from: Kontor itself or an app catalogue. */
  source: 'kontor' | 'app';
}

const k = (key: string, scope: PermissionScope, description: string): Permission => ({
  key,
  scope,
  description,
  source: 'kontor',
});

export const KONTOR_PERMISSIONS: readonly Permission[] = Object.freeze([
  k('tenants.read', 'tenant', 'Read the acting tenant'),
  k('tenants.update', 'tenant', 'Change the acting tenant (name, settings)'),
  k('users.read', 'tenant', 'List and read users acting for the tenant'),
  k('users.create', 'tenant', 'Create secondary users'),
  k('users.update', 'tenant', 'Change profile data of own users'),
  k('users.delete', 'tenant', 'Delete own users'),
  k('users.lock', 'tenant', 'Lock and unlock own users'),
  k('users.password.reset', 'tenant', 'Issue password-reset links for own users'),
  k('users.email.attest', 'tenant', 'Vouch for an own user’s e-mail address without a verification link'),
  k('users.roles.assign', 'tenant', 'Assign roles to own users'),
  k('users.export', 'tenant', 'Export users'),
  k('users.import', 'tenant', 'Import users'),
  k('shares.manage', 'tenant', 'Release users to other tenants and import shared users'),
  k('companies.manage', 'tenant', 'Manage companies of the tenant'),
  k('fields.manage', 'tenant', 'Manage custom field definitions'),
  k('audit.read', 'tenant', 'Read the activity log of the tenant'),
  k('advisories.read', 'tenant', 'Read the security advisories of the tenant'),
  k('sso.manage', 'tenant', 'Manage SSO connections'),
  k('apps.manage', 'tenant', 'Register the tenant’s apps that sign people in through Kontor (OAuth clients)'),
  k('webhooks.manage', 'tenant', 'Manage the tenant’s webhook subscriptions and read their delivery logs'),
  k('customers.read', 'tenant', 'Read direct customer tenants'),
  k('customers.create', 'tenant', 'Create customer tenants'),
  k('customers.primary.manage', 'tenant', 'Manage the primary login of direct customers (R5)'),
  k('customers.suspend', 'tenant', 'Suspend and resume direct customers'),
  k('customers.move', 'tenant', 'Re-parent tenants below the acting tenant'),
  k('customers.delete', 'tenant', 'Remove customer tenants without children'),
  k('account.password.change', 'tenant', 'Change the own password (R8)'),
  k('decisions.read', 'tenant', 'Ask for authorization decisions'),
  k('system.health.read', 'system', 'Read health and readiness'),
  k('system.metrics.read', 'system', 'Read metrics'),
  k('system.roles.read', 'system', 'Read role definitions'),
  k('system.roles.manage', 'system', 'Change role definitions'),
  k('system.events.read', 'system', 'Read system events'),
]);

/** A permission catalogue: Kontor's own plus the installed apps' permissions. */
export class PermissionCatalogue {
  private readonly byKey: ReadonlyMap<string, Permission>;

  constructor(appPermissions: readonly Permission[] = []) {
    const map = new Map<string, Permission>();
    for (const p of [...KONTOR_PERMISSIONS, ...appPermissions]) {
      if (map.has(p.key)) throw new Error(`Duplicate permission key ${p.key}`);
      map.set(p.key, p);
    }
    this.byKey = map;
  }

  get(key: string): Permission | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  list(): Permission[] {
    return [...this.byKey.values()];
  }

  isSystem(key: string): boolean {
    return this.byKey.get(key)?.scope === 'system';
  }
}
