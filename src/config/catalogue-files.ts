import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AppError, type FieldError } from '../domain/errors.js';
import type { Permission } from '../domain/permissions.js';
import { ROLE_CATEGORIES, type Role, type RoleCategory } from '../domain/role.js';

function readStructured(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  // YAML is a superset of JSON, so one parser reads both formats.
  return parse(text, { prettyErrors: true });
}

const fail = (errors: FieldError[], what: string): never => {
  throw new AppError('role.invalid_definition', `${what} is invalid`, { errors });
};

/** Reads a roles file (JSON or YAML): `{ roles: [{ key, name, category, description?, permissions }] }`. */
export function readRolesFile(path: string): Role[] {
  const doc = readStructured(path) as { roles?: unknown };
  if (!doc || !Array.isArray(doc.roles))
    return fail([{ field: 'roles', code: 'required', message: 'A list of roles' }], path);
  const errors: FieldError[] = [];
  const roles = (doc.roles as Record<string, unknown>[]).map((r, i) => {
    const ok =
      r &&
      typeof r.key === 'string' &&
      typeof r.name === 'string' &&
      (ROLE_CATEGORIES as readonly string[]).includes(r.category as string) &&
      Array.isArray(r.permissions) &&
      r.permissions.every((p) => typeof p === 'string') &&
      (r.description === undefined || typeof r.description === 'string');
    if (!ok)
      errors.push({ field: `roles[${i}]`, code: 'role.shape', message: 'key, name, category, permissions[] needed' });
    return {
      key: String(r?.key),
      name: String(r?.name),
      category: r?.category as RoleCategory,
      description: typeof r?.description === 'string' ? r.description : '',
      permissions: [...new Set((r?.permissions as string[]) ?? [])].sort(),
    };
  });
  if (errors.length > 0) fail(errors, path);
  return roles;
}

/** Reads the apps' permission catalogue: `{ version, permissions: [{ key, scope, description }] }`. */
export function readAppPermissions(path: string): Permission[] {
  const doc = readStructured(path) as { permissions?: unknown };
  if (!doc || !Array.isArray(doc.permissions)) return [];
  return (doc.permissions as Record<string, unknown>[]).map((p, i) => {
    if (typeof p?.key !== 'string' || (p.scope !== 'tenant' && p.scope !== 'system')) {
      throw new Error(`${path}: permissions[${i}] needs key and scope tenant|system`);
    }
    return { key: p.key, scope: p.scope, description: String(p.description ?? ''), source: 'app' as const };
  });
}
