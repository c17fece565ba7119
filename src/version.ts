import { readFileSync } from 'node:fs';

/** The version in package.json, written in every heartbeat (a rolling upgrade shows two). */
export const KONTOR_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
