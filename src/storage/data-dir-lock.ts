import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: a second process on the same directory would corrupt it.
 * A lock file holding the owner's pid is created exclusively; a lock left by a dead process is
 * taken over. Several instances need PostgreSQL (DATABASE_URL).
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, 'kontor.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return {
        release: () => {
          try {
            if (readFileSync(path, 'utf8') === String(process.pid)) rmSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new Error(
          `The data directory ${dataDir} is in use by process ${owner}. The embedded database serves one ` +
            'process only; run several instances on PostgreSQL (set DATABASE_URL).',
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}`);
}
