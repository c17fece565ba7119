import type { Actor } from './access.js';
import type { ErrorCode } from './errors.js';
import { BASIC_ADMIN_ROLE, isAdminRole, isOperationRole, type Role } from './role.js';
import type { TenantKind } from './tenant.js';
import type { UserType } from './user.js';

/** The user whose roles are about to change, as the rules need to see it. */
export interface GrantTarget {
  userId: string;
  type: UserType;
  homeTenantId: string;
  homeTenantKind: TenantKind;
  homeParentId: string | null;
  /** The target has an imported, unexpired share into the actor's acting tenant. */
  sharedIntoActingTenant: boolean;
}

export interface GrantRequest {
  actor: Actor;
  target: GrantTarget;
  rootTenantId: string;
  current: readonly string[];
  next: readonly string[];
  roles: ReadonlyMap<string, Role>;
}

export type Advisory =
  | 'advisory.shared_admin'
  | 'advisory.shared_primary'
  | 'advisory.admin_role_on_secondary'
  | 'advisory.reseller_primary_above_basic'
  | 'advisory.consumer_admin';

export interface Warning {
  code: Advisory;
  message: string;
}

export type GrantDecision =
  | { allowed: true; added: string[]; removed: string[]; warnings: Warning[] }
  | { allowed: false; reason: ErrorCode; message: string };

const refuse = (reason: ErrorCode, message: string): GrantDecision => ({
  allowed: false,
  reason,
  message,
});

/**
 * The grant rules R1–R5 of seed 001 for one change of a user's role set. Pure: the same input
 * always gives the same decision. Every path that changes roles (assignment, user creation,
 * child-tenant creation, import) calls this; none decides on its own.
 */
export function evaluateGrant(req: GrantRequest): GrantDecision {
  const { actor, target, roles } = req;
  const unknown = req.next.filter((k) => !roles.has(k));
  if (unknown.length > 0) return refuse('role.unknown', `Unknown role(s): ${unknown.join(', ')}`);

  const cur = new Set(req.current);
  const nxt = new Set(req.next);
  const added = [...nxt].filter((k) => !cur.has(k));
  const removed = [...cur].filter((k) => !nxt.has(k));

  const ownUser = target.homeTenantId === actor.actingTenantId;
  if (!ownUser) {
    // R5: the parent's sales function manages the primary login of a direct customer.
    const customerPrimary = target.type === 'primary' && target.homeParentId === actor.actingTenantId;
    if (!(customerPrimary && actor.permissions.has('customers.primary.manage'))) {
      if (target.sharedIntoActingTenant) {
        return refuse('grant.shared_user_read_only', 'This user is shared in; its home manages it');
      }
      return refuse('grant.not_own_user', 'Roles can be changed only for users of this tenant');
    }
  } else {
    if (target.type === 'secondary' && !actor.isAdmin) {
      return refuse('grant.requires_admin', 'Only administrators change roles of secondary users');
    }
    if (!actor.permissions.has('users.roles.assign')) {
      return refuse('grant.missing_permission', 'Assigning roles needs users.roles.assign');
    }
  }

  // R3: operation roles only for users whose home is the root provider.
  if (target.homeTenantId !== req.rootTenantId) {
    const op = added.find((k) => isOperationRole(roles.get(k)));
    if (op) {
      return refuse(
        'grant.operation_role_outside_provider',
        `${op} is an operation role and only for users of the provider`,
      );
    }
  }

  // R4: nobody grants or revokes an administration role he does not hold himself.
  const adminDelta = [...added, ...removed].filter((k) => isAdminRole(roles.get(k)));
  const notHeld = adminDelta.find((k) => !actor.roleKeys.has(k));
  if (notHeld) {
    return refuse('grant.admin_role_not_held', `Only a holder of ${notHeld} can grant or revoke it`);
  }

  return { allowed: true, added, removed, warnings: roleAdvisories(target, [...nxt], roles) };
}

/** Advisories for a user holding `roleKeys`: allowed, but shown as warnings. */
export function roleAdvisories(
  target: Pick<GrantTarget, 'type' | 'homeTenantKind'>,
  roleKeys: readonly string[],
  roles: ReadonlyMap<string, Role>,
): Warning[] {
  const adminRoles = roleKeys.filter((k) => isAdminRole(roles.get(k)));
  const out: Warning[] = [];
  if (adminRoles.length === 0) return out;
  if (target.type === 'secondary') {
    out.push({
      code: 'advisory.admin_role_on_secondary',
      message: 'An administration role on a secondary user is not recommended',
    });
  }
  if (target.homeTenantKind === 'consumer') {
    out.push({
      code: 'advisory.consumer_admin',
      message: 'End customers usually need no administration role',
    });
  }
  if (
    target.type === 'primary' &&
    target.homeTenantKind === 'reseller' &&
    adminRoles.some((k) => k !== BASIC_ADMIN_ROLE)
  ) {
    out.push({
      code: 'advisory.reseller_primary_above_basic',
      message: 'A subordinate reseller should start with AdministrationBasic only',
    });
  }
  return out;
}

/** Advisories for sharing a user. */
export function shareAdvisories(
  user: { type: UserType; roleKeys: readonly string[] },
  roles: ReadonlyMap<string, Role>,
): Warning[] {
  const out: Warning[] = [];
  if (user.roleKeys.some((k) => isAdminRole(roles.get(k)))) {
    out.push({
      code: 'advisory.shared_admin',
      message: 'Sharing a user with an administration role is not recommended',
    });
  }
  if (user.type === 'primary') {
    out.push({
      code: 'advisory.shared_primary',
      message: 'Sharing the primary user is not recommended',
    });
  }
  return out;
}

/**
 * Releasing or importing a share lets the user's roles take effect in another tenant. Only an
 * administrator acting in the respective tenant may do it (R2), and R4 applies to the
 * administration roles the shared user carries: nobody brings in an administration role he
 * does not hold himself.
 */
export function evaluateShareStep(
  actor: Actor,
  sharedRoleKeys: readonly string[],
  roles: ReadonlyMap<string, Role>,
): GrantDecision {
  if (!actor.isAdmin || !actor.permissions.has('shares.manage')) {
    return refuse('grant.requires_admin', 'Only administrators release or import shared users');
  }
  const notHeld = sharedRoleKeys.find((k) => isAdminRole(roles.get(k)) && !actor.roleKeys.has(k));
  if (notHeld) {
    return refuse('grant.admin_role_not_held', `The user holds ${notHeld}, which you do not hold`);
  }
  return { allowed: true, added: [], removed: [], warnings: [] };
}

/** R8: changing one's own password needs `account.password.change`, unless it is forced. */
export function evaluateOwnPasswordChange(
  actor: Actor,
  mustChange: boolean,
): { allowed: true } | { allowed: false; reason: ErrorCode } {
  if (mustChange || actor.permissions.has('account.password.change')) return { allowed: true };
  return { allowed: false, reason: 'grant.password_change_not_allowed' };
}
