import type { PermissionCatalogue } from './permissions.js';
import { isAdminRole, type Role } from './role.js';

/**
 * Who is acting, and for which tenant. Built by the app layer once per request from the
 * stored user, its roles and its shares; the domain only reads it.
 */
export interface Actor {
  userId: string;
  homeTenantId: string;
  actingTenantId: string;
  /** The actor's home is the root provider: only then do `system` permissions count. */
  isRootUser: boolean;
  /** Acting in the home tenant or through an imported share. */
  via: 'home' | 'share';
  roleKeys: ReadonlySet<string>;
  permissions: ReadonlySet<string>;
  /** Holds at least one administration role (seed: "Administrator ist ein Nutzer, der eine der Administrationsrollen hat"). */
  isAdmin: boolean;
}

/**
 * Effective permissions: the union of the roles' permissions; `system` permissions only for
 * users of the root provider. Users never get permissions other than through roles.
 */
export function effectivePermissions(
  roles: readonly Role[],
  isRootUser: boolean,
  catalogue: PermissionCatalogue,
): Set<string> {
  const out = new Set<string>();
  for (const role of roles) {
    for (const p of role.permissions) {
      const perm = catalogue.get(p);
      if (!perm) continue; // a permission removed from the catalogue grants nothing
      if (perm.scope === 'system' && !isRootUser) continue;
      out.add(p);
    }
  }
  return out;
}

export function buildActor(input: {
  userId: string;
  homeTenantId: string;
  actingTenantId: string;
  isRootUser: boolean;
  roles: readonly Role[];
  catalogue: PermissionCatalogue;
}): Actor {
  return {
    userId: input.userId,
    homeTenantId: input.homeTenantId,
    actingTenantId: input.actingTenantId,
    isRootUser: input.isRootUser,
    via: input.homeTenantId === input.actingTenantId ? 'home' : 'share',
    roleKeys: new Set(input.roles.map((r) => r.key)),
    permissions: effectivePermissions(input.roles, input.isRootUser, input.catalogue),
    isAdmin: input.roles.some(isAdminRole),
  };
}

export const can = (actor: Actor, permission: string): boolean => actor.permissions.has(permission);

/**
 * R7: does the actor see tenant data at all? Operation roles hold only `system` permissions,
 * so a user whose roles are all operation roles has no tenant permission and sees nothing.
 */
export const seesTenantData = (actor: Actor, catalogue: PermissionCatalogue): boolean =>
  [...actor.permissions].some((p) => catalogue.get(p)?.scope === 'tenant');
