#!/usr/bin/env node
// Builds the admin console (web/ → web/dist) when the build is missing or older than its
// sources. Run by `postinstall` and before `npm start`; `--force` builds regardless.
// Production installs without dev dependencies have no vite: then it explains and skips, and
// the server answers `/` with a note on how to build the console.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');
const force = process.argv.includes('--force');

/** Newest modification time below `path`, skipping the build output itself. */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'dist' || name === 'node_modules') continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

function viteBin() {
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('vite/package.json');
    const bin = join(dirname(pkg), 'bin', 'vite.js');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

if (!existsSync(web)) process.exit(0);
const upToDate = !force && existsSync(built) && statSync(built).mtimeMs >= newest(web);
if (upToDate) process.exit(0);
const bin = viteBin();
if (!bin) {
  console.log(
    'console: vite is not installed (production install?); skipping the build of web/ — the API works without it',
  );
  process.exit(0);
}
console.log('console: building web/ → web/dist');
const run = spawnSync(process.execPath, [bin, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
  // Always the production bundle, also when called from a test run (vitest sets NODE_ENV=test).
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(run.status ?? 1);
