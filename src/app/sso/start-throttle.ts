import { AppError } from '../../domain/errors.js';
import type { AuthDeps } from '../auth/auth-deps.js';
import type { RequestMeta } from '../context.js';

/** Defaults of AuthSettings.ssoStart: generous for people, tight for a scanner. */
export const SSO_START_LIMIT = { maxPerAddress: 30, windowSeconds: 60 } as const;

/**
 * `/auth/sso/{id}/start` is unauthenticated and makes Kontor call the issuer: counted per client
 * address before any lookup, so it can neither hammer a provider nor serve as a port scanner.
 */
export async function throttleSsoStart(deps: AuthDeps, meta: RequestMeta): Promise<void> {
  const limit = deps.settings.ssoStart ?? SSO_START_LIMIT;
  const n = await deps.authStore.read((r) =>
    r.throttle.hit(`sso-start:${meta.ip ?? 'unknown'}`, deps.clock.now(), limit.windowSeconds),
  );
  if (n > limit.maxPerAddress) throw new AppError('auth.throttled', 'Too many sign-ins started from this address');
}
