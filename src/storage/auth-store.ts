import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuthRepos, AuthStore, TokenCrypto } from '../domain/auth-ports.js';
import { apiTokenRepo } from './repositories/api-tokens.js';
import { idempotencyRepo } from './repositories/idempotency.js';
import { mfaRepo } from './repositories/mfa.js';
import { oneTimeTokenRepo } from './repositories/one-time-tokens.js';
import { sessionRepo } from './repositories/sessions.js';
import { throttleRepo } from './repositories/throttle.js';
import { challengeRepo } from './repositories/webauthn-challenges.js';
import type { Database } from './schema.js';
import { sha256 } from './sha256.js';
import { reposFor, unitOfWork } from './store.js';

export function authReposFor(db: Kysely<Database>): AuthRepos {
  return {
    ...reposFor(db),
    sessions: sessionRepo(db),
    apiTokens: apiTokenRepo(db),
    throttle: throttleRepo(db),
    idempotency: idempotencyRepo(db),
    oneTimeTokens: oneTimeTokenRepo(db),
    mfa: mfaRepo(db),
    challenges: challengeRepo(db),
  };
}

/** Domain and auth repositories over one Kysely handle; `transaction` joins them in one unit. */
export const authStore = (db: Kysely<Database>): AuthStore => unitOfWork(db, authReposFor);

/** 32 random bytes (256 bits) per secret; SHA-256 suffices for hashing high-entropy secrets. */
export const nodeTokenCrypto: TokenCrypto = {
  randomToken: () => randomBytes(32).toString('base64url'),
  hash: sha256,
};
