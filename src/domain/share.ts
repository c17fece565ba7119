export const SHARE_STATUSES = ['offered', 'active', 'ended'] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];

/** A release of a user from its home tenant to another tenant (seed: Freigabe). */
export interface Share {
  id: string;
  userId: string;
  homeTenantId: string;
  targetTenantId: string;
  status: ShareStatus;
  expiresAt: Date | null;
  createdBy: string;
  acceptedBy: string | null;
  endedBy: string | null;
  createdAt: Date;
  acceptedAt: Date | null;
  endedAt: Date | null;
  /** The role keys the importing tenant accepted (consent); null while only offered. */
  acceptedRoles: string[] | null;
}

/** Only an accepted, unexpired share lets the user act in the target tenant. */
export const shareIsEffective = (s: Pick<Share, 'status' | 'expiresAt'>, now: Date): boolean =>
  s.status === 'active' && (s.expiresAt === null || s.expiresAt.getTime() > now.getTime());

/**
 * The roles a shared user holds in an importing tenant: its current home roles, bounded by what
 * that tenant accepted (decision 0007). A role added at home later does not reach the importing
 * tenant until it re-accepts; a role removed at home is gone there too. Several effective shares
 * into the same tenant consent to the union of their sets; no consent (null) grants nothing.
 */
export function rolesInImportingTenant(
  homeRoles: readonly string[],
  accepted: readonly (readonly string[] | null)[],
): string[] {
  const consent = new Set(accepted.flatMap((a) => a ?? []));
  return homeRoles.filter((r) => consent.has(r));
}
