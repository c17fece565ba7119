import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import type { PasswordHasher } from '../domain/ports.js';

/** OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function argon2Hasher(): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => argon2.hash(password, ARGON2_OPTIONS),
    async verify(hash, password) {
      try {
        // Imported bcrypt hashes (from another system) keep working; new hashes are argon2id.
        if (/^\$2[aby]\$/.test(hash)) return await bcrypt.compare(password, hash);
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    dummyHash() {
      dummy ??= argon2.hash(`dummy-${Math.random()}-${Date.now()}`, ARGON2_OPTIONS);
      return dummy;
    },
  };
}
