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

  // Issue 21 #5: the title is what a person reads first, for every action that can raise the code;
  // the page a developer reads must say the same thing first.
  it('begins each documented meaning with the title the API sends', () => {
    const norm = (t: string) => t.replace(/[’']/g, "'").toLowerCase();
    const rows = new Map([...doc.matchAll(/^\| `([a-z_.]+)` \| \d{3} \| (.*) \|$/gm)].map((m) => [m[1], m[2] ?? '']));
    const off = Object.entries(ERROR_CODES)
      .filter(([code, v]) => !norm(rows.get(code) ?? '').startsWith(norm(v.title)))
      .map(([code]) => code);
    expect(off).toEqual([]);
  });

  it('titles are short sentences without a final period', () => {
    for (const [code, v] of Object.entries(ERROR_CODES)) {
      expect(v.title, code).toMatch(/^[A-Z].{2,90}[^.]$/);
    }
  });
});
