import type { ErrorCode } from './errors.js';
import { isAdminRole, type Role } from './role.js';

/**
 * Everything that lets one user act *as* another: reset or set its password, set or clear its
 * e-mail or login name, lock, unlock, disable, delete, end its sessions or tokens, link or unlink
 * an SSO identity, change its factors, overwrite it by import or SCIM. Whoever can do one of
 * these can become the target, so R4 ("nobody grants an administration role he does not hold")
 * would mean nothing if these paths ignored the target's administration roles.
 */
export type AccountAction =
  | 'password.reset'
  | 'password.set'
  | 'email.change'
  | 'email.attest'
  | 'login.change'
  | 'state.change'
  | 'delete'
  | 'sessions.end'
  | 'tokens.manage'
  | 'sso.link'
  | 'mfa.change'
  | 'import.overwrite'
  | 'scim.overwrite';

export type RankDecision =
  | { allowed: true }
  | { allowed: false; reason: ErrorCode; message: string; missing: string[] };

/**
 * The rank rule: an actor may take an account action on a user only if the actor holds every
 * administration role that user holds (in the user's home tenant). Roles of other categories do
 * not rank: whoever may act on a user could grant him those anyway (R2, R3), so taking over such
 * an account gains nothing a grant would not. Pure: the same input always gives the same answer.
 * The operator (CLI, no actor) is not bound by it; callers decide that before asking.
 */
export function evaluateRank(
  actorRoleKeys: ReadonlySet<string>,
  targetRoleKeys: readonly string[],
  roles: ReadonlyMap<string, Role>,
): RankDecision {
  const missing = targetRoleKeys.filter((k) => isAdminRole(roles.get(k)) && !actorRoleKeys.has(k));
  if (missing.length === 0) return { allowed: true };
  return {
    allowed: false,
    reason: 'grant.target_outranks',
    message: `The user holds ${missing.join(', ')}, which you do not hold`,
    missing: [...new Set(missing)].sort(),
  };
}
