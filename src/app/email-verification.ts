import type { Repos } from '../domain/ports.js';
import type { User } from '../domain/user.js';
import { MAIL_TOPIC } from './mail-outbox.js';

/**
 * An outbox row asking for a verification link to `email` (issue 14 #6). The link's secret is
 * minted by the mail worker when it sends (src/app/auth/email-verification.ts), so no secret
 * rests in the outbox, and a row whose address changed meanwhile sends nothing.
 */
export interface VerifyEmailRequest {
  verifyEmail: { tenantId: string; userId: string; email: string };
}

export const isVerifyEmailRequest = (p: unknown): p is VerifyEmailRequest =>
  typeof p === 'object' && p !== null && 'verifyEmail' in p;

/** Queues the verification link for the user's current address, in the caller's transaction. */
export async function queueEmailVerification(
  r: Pick<Repos, 'outbox'>,
  now: Date,
  user: Pick<User, 'id' | 'tenantId' | 'email'>,
): Promise<boolean> {
  if (!user.email) return false;
  const request: VerifyEmailRequest = { verifyEmail: { tenantId: user.tenantId, userId: user.id, email: user.email } };
  await r.outbox.enqueue(MAIL_TOPIC, request, now);
  return true;
}
