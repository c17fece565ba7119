import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { onPostgres, TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

const ROWS = 100_000;
let k: TestKontor;
let tenant: Tenant;
let login: string;

beforeAll(async () => {
  if (!onPostgres()) return;
  k = await testKontor();
  tenant = await k.aTenant(k.root, 'reseller');
  login = (await k.aUserIn(tenant, ['AdministrationAdvanced', 'AdministrationBasic'], { password: TEST_PASSWORD }))
    .loginName;
});
afterAll(async () => k?.close());

/** A real `kontor serve` process on the test's PostgreSQL schema. */
async function startServer(): Promise<{ child: ChildProcess; base: string }> {
  const port = 4100 + Math.floor(Math.random() * 800);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      KONTOR_DB_SCHEMA: k.config.dbSchema,
      KONTOR_PORT: String(port),
      KONTOR_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  for (let i = 0; i < 600 && !out.includes('listens on'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('listens on')) throw new Error(`server did not start: ${out}`);
  return { child, base: `http://127.0.0.1:${port}` };
}

async function signIn(base: string) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: tenant.slug, username: login, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

const csv = [
  'loginName,displayName,roles',
  ...Array.from({ length: ROWS }, (_, i) => `crash${i},Crash ${i},CustomerBasic`),
].join('\r\n');

async function startImport(base: string, s: { cookie: string; csrf: string }): Promise<string> {
  const res = await fetch(`${base}/api/v1/tenants/${tenant.id}/users/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: csv,
  });
  expect(res.status).toBe(202);
  return `${base}${res.headers.get('location')}`;
}

const job = async (url: string, s: { cookie: string }) =>
  (await (await fetch(url, { headers: { cookie: s.cookie } })).json()) as {
    status: string;
    progress: { processed: number } | null;
    created: number;
    error: string | null;
  };
const usersInTenant = () => k.deps.store.read((r) => r.users.countInTenant(tenant.id));

describe.runIf(onPostgres())('crash safety of a 100,000-row import on PostgreSQL', () => {
  it('leaves no partial rows after SIGKILL, and a re-run succeeds exactly once', async () => {
    const first = await startServer();
    try {
      const s = await signIn(first.base);
      const url = await startImport(first.base, s);
      // Kill in the middle: rows are being written inside the import's transaction.
      let progress = 0;
      for (let i = 0; i < 1200 && progress === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        progress = (await job(url, s)).progress?.processed ?? 0;
      }
      expect(progress).toBeGreaterThan(0);
      expect(progress).toBeLessThan(ROWS);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(await usersInTenant()).toBe(1); // only the administrator: nothing of the import landed

    const second = await startServer();
    try {
      const s = await signIn(second.base);
      const url = await startImport(second.base, s);
      let state = await job(url, s);
      for (let i = 0; i < 1800 && state.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = await job(url, s);
      }
      expect(state).toMatchObject({ status: 'succeeded', created: ROWS });
      expect(await usersInTenant()).toBe(ROWS + 1);
      // Once: the same file again in create mode is refused as a whole, nothing duplicated.
      const again = await startImport(second.base, s);
      let third = await job(again, s);
      for (let i = 0; i < 1800 && third.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        third = await job(again, s);
      }
      expect(third.status).toBe('failed');
      expect(third.error).toContain('nothing was written');
      expect(await usersInTenant()).toBe(ROWS + 1);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  }, 300_000);
});
