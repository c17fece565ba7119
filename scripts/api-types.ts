/**
 * Regenerates the console's API types (web/src/api/schema.d.ts) from the server's own OpenAPI
 * document, without a running server: an in-memory Kontor, its HTTP app, `app.swagger()`, then
 * openapi-typescript and biome. Run after changing a route: `npx tsx scripts/api-types.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKontor } from '../src/compose.js';
import { createHttpApp } from '../src/compose-http.js';
import { loadConfig } from '../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'kontor-api-types-'));
try {
  const kontor = await createKontor(loadConfig({ KONTOR_DATA_DIR: dir, KONTOR_LOG_LEVEL: 'error' }));
  const app = await createHttpApp(kontor);
  await app.ready();
  const doc = join(dir, 'openapi.json');
  writeFileSync(doc, JSON.stringify(app.swagger()));
  await app.close();
  await kontor.close();
  const out = 'web/src/api/schema.d.ts';
  execFileSync('npx', ['openapi-typescript', doc, '-o', out], { stdio: 'inherit' });
  execFileSync('npx', ['biome', 'check', '--write', out], { stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
