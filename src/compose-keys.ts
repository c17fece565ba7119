import { rotateSigningKeys } from './app/oidc/signing-keys.js';
import type { Kontor } from './compose.js';
import { nodeKeyMaker } from './oidc/keys.js';
import { signingOverlapSeconds } from './oidc/lifetimes.js';
import { aesGcmSecretBox } from './sso/secret-box.js';
import { chooseSecretKey } from './sso/secret-key.js';

/**
 * `kontor keys rotate`: new signing keys from now on; the old ones stay published for the
 * longest lifetime of a token they signed. Running servers pick the new set up within their key
 * check interval (10 s). The key must be the servers' (KONTOR_SECRET_KEY or the data dir's).
 */
export async function rotateOidcKeys(k: Pick<Kontor, 'config' | 'deps'>) {
  const { key } = chooseSecretKey(k.config.secretKey, k.config.dataDir);
  return rotateSigningKeys(
    { store: k.deps.store, clock: k.deps.clock, keys: nodeKeyMaker, box: aesGcmSecretBox(key) },
    signingOverlapSeconds(k.config.oidc.accessTokenSeconds),
  );
}
