import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

/** The `version` field is the entity tag: `ETag: "7"`, and `If-Match: "7"` guards an update. */
export const etag = (version: number): string => `"${version}"`;

/** The version an update expects, from If-Match; undefined when absent or `*`. */
export function expectedVersion(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(h);
  if (!m?.[1]) {
    throw new AppError('validation.invalid', 'If-Match must be an entity tag like "3"', {
      errors: [{ field: 'If-Match', code: 'format', message: 'An entity tag like "3"' }],
    });
  }
  return Number(m[1]);
}
