import type { Role, Warning } from './api/types';

/**
 * The advisories the server will attach when saving, predicted from the same inputs so the
 * warning shows before the click. Mirrors `roleAdvisories` in src/domain/grant-rules.ts; the
 * server's answer after saving is what counts.
 */
export function predictRoleAdvisories(
  target: { type: string; homeTenantKind: string | undefined },
  roleKeys: string[],
  roles: Role[],
): Warning[] {
  const admin = roleKeys.filter((k) => roles.find((r) => r.key === k)?.category === 'administration');
  if (admin.length === 0) return [];
  const out: Warning[] = [];
  if (target.type === 'secondary') {
    out.push({
      code: 'advisory.admin_role_on_secondary',
      message: 'An administration role on a secondary user is not recommended',
    });
  }
  if (target.homeTenantKind === 'consumer') {
    out.push({ code: 'advisory.consumer_admin', message: 'End customers usually need no administration role' });
  }
  if (
    target.type === 'primary' &&
    target.homeTenantKind === 'reseller' &&
    admin.some((k) => k !== 'AdministrationBasic')
  ) {
    out.push({
      code: 'advisory.reseller_primary_above_basic',
      message: 'A subordinate reseller should start with AdministrationBasic only',
    });
  }
  return out;
}

/** Sharing a user: mirrors `shareAdvisories`. */
export function predictShareAdvisories(user: { type: string; roles: string[] }, roles: Role[]): Warning[] {
  const out: Warning[] = [];
  if (user.roles.some((k) => roles.find((r) => r.key === k)?.category === 'administration')) {
    out.push({
      code: 'advisory.shared_admin',
      message: 'Sharing a user with an administration role is not recommended',
    });
  }
  if (user.type === 'primary')
    out.push({ code: 'advisory.shared_primary', message: 'Sharing the primary user is not recommended' });
  return out;
}
