import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * Validation of an OpenID Connect Back-Channel Logout 1.0 logout token (§2.6), with jose:
 * openid-client 6 does not validate logout tokens itself. Kontor POSTs one when a person's
 * session ends elsewhere (she signed out in another app, an administrator locked her, …).
 */

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Older than this is refused (§2.6 step 6 allows it): a captured token cannot be replayed later. */
const MAX_AGE_SECONDS = 300;

export class LogoutTokenError extends Error {}

/**
 * @param {{ issuer: string, clientId: string, jwksUri: string, algorithms: string[] }} p
 *   `algorithms`: asymmetric ones only; `none` and HS* are never accepted.
 */
export function createLogoutTokenVerifier({ issuer, clientId, jwksUri, algorithms }) {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  const asymmetric = algorithms.filter((a) => a !== 'none' && !a.startsWith('HS'));
  /** jti → when it may be forgotten (ms): a token is accepted once. */
  const seen = new Map();

  /**
   * @param {string} token
   * @returns {Promise<{ sub?: string, sid?: string }>} whose sessions to end
   */
  return async function verifyLogoutToken(token) {
    let verified;
    try {
      // Step 3: signature with the provider's published keys, iss, aud (our client_id), iat.
      verified = await jwtVerify(token, jwks, {
        issuer,
        audience: clientId,
        algorithms: asymmetric,
        requiredClaims: ['iat', 'jti', 'events'],
        maxTokenAge: MAX_AGE_SECONDS,
        clockTolerance: 30,
      });
    } catch (e) {
      throw new LogoutTokenError(`logout token refused: ${e instanceof Error ? e.message : e}`);
    }
    const { payload, protectedHeader } = verified;
    // Explicit typing (§2.4) keeps an ID token from passing as a logout token.
    const typ = protectedHeader.typ?.toLowerCase().replace(/^application\//, '');
    if (typ !== undefined && typ !== 'logout+jwt') throw new LogoutTokenError(`unexpected typ ${typ}`);
    // Step 4: the events claim names the back-channel logout event, with an object value.
    const events = /** @type {Record<string, unknown> | undefined} */ (payload.events);
    const event = events && typeof events === 'object' ? events[EVENT] : undefined;
    if (!event || typeof event !== 'object') throw new LogoutTokenError('events lacks the back-channel logout event');
    // Step 5: sid, sub or both.
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    if (!sub && !sid) throw new LogoutTokenError('neither sub nor sid');
    // Step 6 (again §2.4): a nonce means an ID token, never a logout token.
    if ('nonce' in payload) throw new LogoutTokenError('a logout token carries no nonce');
    // Optional step: the same token twice is refused.
    const jti = String(payload.jti);
    const now = Date.now();
    for (const [k, until] of seen) if (until < now) seen.delete(k);
    if (seen.has(jti)) throw new LogoutTokenError('logout token replayed');
    seen.set(jti, now + (MAX_AGE_SECONDS + 60) * 1000);
    return { sub, sid };
  };
}
