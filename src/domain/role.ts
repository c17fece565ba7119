import { AppError, type FieldError } from './errors.js';
import type { PermissionCatalogue } from './permissions.js';

export const ROLE_CATEGORIES = ['administration', 'operation', 'business'] as const;
export type RoleCategory = (typeof ROLE_CATEGORIES)[number];

export interface Role {
  key: string;
  name: string;
  category: RoleCategory;
  description: string;
  permissions: string[];
}

/** The seed's lowest administration role; advisories compare against it. */
export const BASIC_ADMIN_ROLE = 'AdministrationBasic';

export const isAdminRole = (r: Role | undefined): boolean => r?.category === 'administration';
export const isOperationRole = (r: Role | undefined): boolean => r?.category === 'operation';

const ROLE_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Checks a role definition against the catalogue. Operation roles may hold only `system`
 * permissions: that is what makes R7 (no customer data for operation roles) structural.
 */
export function validateRole(role: Role, catalogue: PermissionCatalogue): FieldError[] {
  const errors: FieldError[] = [];
  if (!ROLE_KEY.test(role.key)) {
    errors.push({ field: 'key', code: 'role.invalid_key', message: `Invalid role key ${role.key}` });
  }
  if (!(ROLE_CATEGORIES as readonly string[]).includes(role.category)) {
    errors.push({ field: 'category', code: 'role.invalid_category', message: 'Unknown category' });
  }
  for (const p of role.permissions) {
    const perm = catalogue.get(p);
    if (!perm) {
      errors.push({ field: 'permissions', code: 'permission.unknown', message: `Unknown ${p}` });
    } else if (role.category === 'operation' && perm.scope !== 'system') {
      errors.push({
        field: 'permissions',
        code: 'role.operation_tenant_permission',
        message: `Operation role ${role.key} cannot hold the tenant permission ${p}`,
      });
    }
  }
  return errors;
}

export function assertValidRoles(roles: Role[], catalogue: PermissionCatalogue): void {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const r of roles) {
    if (seen.has(r.key)) {
      errors.push({ field: r.key, code: 'role.duplicate', message: `Duplicate ${r.key}` });
    }
    seen.add(r.key);
    for (const e of validateRole(r, catalogue)) errors.push({ ...e, field: `${r.key}.${e.field}` });
  }
  if (errors.length > 0) {
    throw new AppError('role.invalid_definition', 'The role definitions are invalid', { errors });
  }
}

export interface RoleDiff {
  added: Role[];
  removed: Role[];
  changed: { before: Role; after: Role }[];
}

export function diffRoles(current: Role[], next: Role[]): RoleDiff {
  const cur = new Map(current.map((r) => [r.key, r]));
  const nxt = new Map(next.map((r) => [r.key, r]));
  const same = (a: Role, b: Role) =>
    a.name === b.name &&
    a.category === b.category &&
    a.description === b.description &&
    [...a.permissions].sort().join() === [...b.permissions].sort().join();
  return {
    added: next.filter((r) => !cur.has(r.key)),
    removed: current.filter((r) => !nxt.has(r.key)),
    changed: next
      .filter((r) => cur.has(r.key) && !same(cur.get(r.key) as Role, r))
      .map((after) => ({ before: cur.get(after.key) as Role, after })),
  };
}
