import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { USER_STATES } from '../../src/domain/user.js';
import { ACTIONS } from '../../web/src/screens/activity/actions.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The actions the server writes: `action: 'x'` and `action: c ? 'x' : 'y'` in audit entries
 * (not the rank rule's `{ action }` of assertOutranks), plus the two composed at run time.
 */
function writtenActions(): Set<string> {
  const found = new Set<string>([
    ...USER_STATES.map((s) => `user.state.${s}`), // setUserState: `user.state.${state}`
    'tenant.suspended',
    'tenant.resumed',
    'tenant.updated', // updateTenant's ternary over a template
  ]);
  const literal = /action:\s*(?:[\w.!]+\s*\?\s*)?'([^']+)'(?:\s*:\s*'([^']+)')?/g;
  for (const file of sources(SRC)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.includes('assertOutranks')) continue;
      for (const m of line.matchAll(literal)) {
        if (m[1]) found.add(m[1]);
        if (m[2]) found.add(m[2]);
      }
    }
  }
  return found;
}

describe('the Activity log filter', () => {
  it('offers every action the server writes to the log, and no other', () => {
    const written = writtenActions();
    const offered = new Set(ACTIONS);
    expect([...written].filter((a) => !offered.has(a)).sort()).toEqual([]);
    expect([...offered].filter((a) => !written.has(a)).sort()).toEqual([]);
    expect(ACTIONS.length).toBe(offered.size);
  });
});
