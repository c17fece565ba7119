import { createHash } from 'node:crypto';

/** Hex SHA-256: the audit chain's digest, and the stored form of high-entropy secrets. */
export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
