import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.js';

describe('the error code registry', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([a-z_.]+)` \| (\d{3}) \|/gm)].map((m) => `${m[1]}:${m[2]}`));

  it('documents every code with its status in docs/errors.md', () => {
    const missing = Object.entries(ERROR_CODES)
      .map(([code, v]) => `${code}:${v.status}`)
      .filter((c) => !documented.has(c));
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const known = new Set(Object.entries(ERROR_CODES).map(([code, v]) => `${code}:${v.status}`));
    expect([...documented].filter((c) => !known.has(c))).toEqual([]);
  });

  it('uses only client and server error statuses', () => {
    for (const v of Object.values(ERROR_CODES)) expect(v.status).toBeGreaterThanOrEqual(400);
  });
});
