import { createLocalJWKSet, errors, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { CLOCK_TOLERANCE_SECONDS } from './lifetimes.js';

/** Members that carry a private key: the verifier is built from the public halves only. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export type AccessTokenVerifier = (jwt: string, now: Date) => Promise<JWTPayload>;

/**
 * Verifies an access token Kontor's own OP signed (RFC 9068) with jose, offline, against the
 * published key set of this provider: signature by one of those keys with the algorithm that
 * key is published for (never `none`, never a key the token brings), `typ: at+jwt`, issuer and
 * audience the issuer (Kontor as resource server), `exp` required. Throws jose's errors.
 */
export function accessTokenVerifier(issuer: string, keys: readonly JWK[]): AccessTokenVerifier {
  const publicKeys = keys.map((k) => {
    const out: Record<string, unknown> = { ...k };
    for (const m of PRIVATE_MEMBERS) delete out[m];
    return out as JWK;
  });
  const algorithms = [...new Set(publicKeys.map((k) => k.alg).filter((a): a is string => typeof a === 'string'))];
  const jwks = createLocalJWKSet({ keys: publicKeys });
  return async (jwt, now) => {
    const { payload } = await jwtVerify(jwt, jwks, {
      issuer,
      audience: issuer,
      typ: 'at+jwt',
      algorithms,
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });
    return payload;
  };
}

/** The token names a key this instance does not know (yet): a rotation on another instance. */
export const unknownKey = (e: unknown): boolean => e instanceof errors.JWKSNoMatchingKey;
