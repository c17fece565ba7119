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
}

/** Only an accepted, unexpired share lets the user act in the target tenant. */
export const shareIsEffective = (s: Pick<Share, 'status' | 'expiresAt'>, now: Date): boolean =>
  s.status === 'active' && (s.expiresAt === null || s.expiresAt.getTime() > now.getTime());
