import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { KeyMaker, SigningKey } from '../domain/oidc.js';

const generate = promisify(generateKeyPair);

/** Signing key pairs from node:crypto; the kid is the RFC 7638 thumbprint. */
export const nodeKeyMaker: KeyMaker = {
  async generate(alg) {
    const pair =
      alg === 'ES256' ? await generate('ec', { namedCurve: 'P-256' }) : await generate('rsa', { modulusLength: 2048 });
    const privateJwk = pair.privateKey.export({ format: 'jwk' }) as JWK;
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk);
    return {
      kid,
      privateJwk: { ...privateJwk, kid, alg, use: 'sig' },
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    };
  },
};

/**
 * The provider's key set: every published key, opened. A retired key may only verify
 * (`key_ops`), so oidc-provider never picks it to sign, and it leaves the set (and JWKS) when
 * its overlap ends.
 */
export function providerJwks(keys: readonly SigningKey[], open: (sealed: string) => string): { keys: JWK[] } {
  return {
    keys: keys.map((k) => {
      const jwk = JSON.parse(open(k.privateJwkSealed)) as JWK;
      return k.retiredAt ? { ...jwk, key_ops: ['verify'] } : jwk;
    }),
  };
}
