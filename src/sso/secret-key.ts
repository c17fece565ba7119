import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretKeyChoice {
  key: Buffer;
  /** Where the key came from; anything but `config` deserves a warning in the log. */
  source: 'config' | 'data-dir' | 'ephemeral';
}

/**
 * The key that seals SSO client secrets. KONTOR_SECRET_KEY (base64, 32 bytes) wins. Without
 * it a dev install keeps a generated key in `<dataDir>/secret.key` (0600) so secrets survive a
 * restart; an in-memory database gets an ephemeral key, as its secrets die with it anyway.
 * Production should set the variable: a key next to the data it protects protects little.
 */
export function chooseSecretKey(configured: Buffer | undefined, dataDir: string): SecretKeyChoice {
  if (configured) return { key: configured, source: 'config' };
  if (dataDir.startsWith('memory://')) return { key: randomBytes(32), source: 'ephemeral' };
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in base64`);
    return { key, source: 'data-dir' };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: 'data-dir' };
}
