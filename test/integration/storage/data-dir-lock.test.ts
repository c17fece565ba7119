import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/storage/db.js';

const kontor = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', KONTOR_DATA_DIR: dir },
    encoding: 'utf8',
  });

// PGlite only: this is about the embedded database's directory.
describe.skipIf(Boolean(process.env.DATABASE_URL))('the embedded data directory', () => {
  it('refuses a second process with a clear message while the first has it open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontor-lock-'));
    const db = await openDb({ dataDir: dir });
    try {
      const second = kontor(dir, 'tenants', 'tree');
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`in use by process ${process.pid}`);
      expect(second.stderr).toContain('DATABASE_URL');
    } finally {
      await db.close();
    }
    expect(kontor(dir, 'tenants', 'tree').status).toBe(0);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontor-lock-'));
    writeFileSync(join(dir, 'kontor.lock'), '2147483646');
    const db = await openDb({ dataDir: dir });
    await db.close();
  });
});
