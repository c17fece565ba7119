import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * PostgreSQL runs: every test file works in a schema of its own, named after this run. Schemas
 * are dropped here, once all files are done — dropping them while other files run made
 * Kysely's catalogue introspection (which scans every schema) fail now and then.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  // `<start seconds, base 36>_<random>`: the start time lets a later run drop stale schemas.
  const run = `${Math.floor(Date.now() / 1000).toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  project.provide('testRun', run);
  if (!url) return;
  await dropSchemas(url, (name) => {
    // Left behind by an interrupted run more than six hours ago.
    const started = Number.parseInt(name.split('_')[1] ?? '', 36);
    return Number.isFinite(started) && Date.now() / 1000 - started > 6 * 3600;
  });
  return async () => {
    await dropSchemas(url, (name) => name.startsWith(`t_${run}_`));
  };
}

async function dropSchemas(url: string, which: (name: string) => boolean): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'",
    );
    for (const { nspname } of rows.filter(
      (r) => /^t_[a-z0-9]+_[a-z0-9]+_[a-z0-9]+$/.test(r.nspname) && which(r.nspname),
    )) {
      await client.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    testRun: string;
  }
}
