// `npm run bench:import`: users/s for importing and exporting 100,000 users, without passwords
// and with pre-hashed ones, on embedded PGlite and (when reachable) on PostgreSQL. A benchmark,
// not a test: it prints medians, it asserts nothing. `--quick` uses 10,000 users.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exportStream } from '../src/adapters/export-stream.js';
import { parseImportFile } from '../src/adapters/import-parse.js';
import { bootstrapProvider } from '../src/app/bootstrap.js';
import { exportUsers } from '../src/app/export-users.js';
import { importUsers } from '../src/app/import-users.js';
import { createKontor } from '../src/compose.js';
import { loadConfig } from '../src/config/load-config.js';
import { dropSchema } from '../src/storage/db.js';
import { importStore } from '../src/storage/import-store.js';

const quick = process.argv.includes('--quick');
const N = quick ? 10_000 : 100_000;
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function csvOf(n: number, hash: string | null): string {
  const head = hash ? 'loginName,displayName,roles,passwordHash' : 'loginName,displayName,roles';
  const rows = Array.from({ length: n }, (_, i) =>
    hash ? `user${i},User ${i},CustomerBasic,"${hash}"` : `user${i},User ${i},CustomerBasic`,
  );
  return [head, ...rows].join('\r\n');
}

async function run(db: 'pglite' | 'postgres', withHashes: boolean) {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const env = db === 'postgres' ? { DATABASE_URL: PG, KONTOR_DB_SCHEMA: schema } : {};
  const k = await createKontor({ ...loadConfig(env), dataDir: 'memory://' });
  try {
    const boot = await bootstrapProvider(k.deps, {
      tenantName: 'Bench',
      slug: 'bench',
      loginName: 'admin',
      password: 'a long bench password 1',
    });
    const deps = { ...k.deps, importStore: importStore(k.db.kysely) };
    const hash = withHashes ? await k.deps.hasher.hash('a long user password 1') : null;
    const text = csvOf(N, hash);
    const t0 = performance.now();
    const records = parseImportFile(text, 'csv');
    const report = await importUsers(deps, null, {
      tenantId: boot!.tenant.id,
      records,
      format: 'csv',
      mode: 'create',
      dryRun: false,
    });
    const importMs = performance.now() - t0;
    if (report.created !== N) throw new Error(`imported ${report.created} of ${N}`);
    const t1 = performance.now();
    const ex = await exportUsers(deps, null, { tenantId: boot!.tenant.id, format: 'csv' });
    let bytes = 0;
    await pipeline(
      exportStream(ex, 'csv'),
      new Writable({
        write(chunk, _enc, done) {
          bytes += chunk.length;
          done();
        },
      }),
    );
    const exportMs = performance.now() - t1;
    return { importMs, exportMs, bytes };
  } finally {
    await k.close();
    if (db === 'postgres') await dropSchema(PG, schema);
  }
}

async function pgReachable(): Promise<boolean> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: PG, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const rows: string[][] = [];
const dbs: ('pglite' | 'postgres')[] = (await pgReachable()) ? ['pglite', 'postgres'] : ['pglite'];
for (const db of dbs) {
  for (const withHashes of [false, true]) {
    const r = await run(db, withHashes);
    rows.push([
      db,
      withHashes ? 'pre-hashed' : 'no password',
      String(N),
      (r.importMs / 1000).toFixed(1),
      Math.round(N / (r.importMs / 1000)).toLocaleString('en'),
      (r.exportMs / 1000).toFixed(1),
      Math.round(N / (r.exportMs / 1000)).toLocaleString('en'),
    ]);
  }
}
const head = ['database', 'passwords', 'users', 'import s', 'import users/s', 'export s', 'export users/s'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ');
console.log(`Import/export benchmark, ${N} users, one run each (node ${process.version})`);
console.log(line(head));
for (const r of rows) console.log(line(r));
