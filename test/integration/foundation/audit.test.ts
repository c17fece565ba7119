import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../src/app/audit-log.js';
import { createUser } from '../../../src/app/create-user.js';
import { updateUser } from '../../../src/app/manage-user.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const verify = (tenantId: string) => k.deps.store.read((r) => verifyAudit(r, tenantId, sha256));

// Tampering needs the append-only trigger out of the way, as an attacker with DBA rights would.
async function tamper(statement: ReturnType<typeof sql>) {
  await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(k.db.kysely);
  try {
    await statement.execute(k.db.kysely);
  } finally {
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(k.db.kysely);
  }
}

describe('audit log', () => {
  it('writes an event with actor, acting tenant and details in the same transaction', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    const { user } = await createUser(k.deps, ctx, {
      tenantId: t.id,
      loginName: 'audited',
      password: 'a long enough passphrase 1',
    });
    const [e] = await k.deps.store.read((r) => r.audit.list(t.id, { limit: 1 }));
    expect(e).toMatchObject({
      action: 'user.created',
      actorUserId: admin.id,
      actorTenantId: t.id,
      targetId: user.id,
      ip: '127.0.0.1',
    });
    expect(JSON.stringify(e?.details)).not.toContain('passphrase');
  });

  it('refuses UPDATE and DELETE on events', async () => {
    await expect(sql`UPDATE audit_events SET action = 'x'`.execute(k.db.kysely)).rejects.toBeTruthy();
    await expect(sql`DELETE FROM audit_events`.execute(k.db.kysely)).rejects.toBeTruthy();
  });

  it('pinpoints a changed event', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    for (const n of [1, 2, 3]) await createUser(k.deps, ctx, { tenantId: t.id, loginName: `u${n}` });
    expect((await verify(t.id)).problems).toEqual([]);
    await tamper(
      sql`UPDATE audit_events SET details = '{"loginName":"mallory"}' WHERE tenant_id = ${t.id} AND seq = 2`,
    );
    expect((await verify(t.id)).problems).toEqual([{ seq: 2, problem: 'hash_mismatch' }]);
  });

  it('pinpoints a deleted event, in the middle and at the end', async () => {
    const t = await k.aTenant(k.root, 'consumer');
    const admin = await k.aUserIn(t, ['AdministrationAdvanced']);
    const ctx = await k.ctx(admin);
    const { user } = await createUser(k.deps, ctx, { tenantId: t.id, loginName: 'd1' });
    for (const n of [1, 2, 3]) await updateUser(k.deps, ctx, { userId: user.id, displayName: `Name ${n}` });
    await tamper(sql`DELETE FROM audit_events WHERE tenant_id = ${t.id} AND seq = 2`);
    expect((await verify(t.id)).problems).toEqual([
      { seq: 2, problem: 'missing' },
      { seq: 3, problem: 'broken_link' },
    ]);
    await tamper(sql`DELETE FROM audit_events WHERE tenant_id = ${t.id} AND seq = 4`);
    expect((await verify(t.id)).problems).toContainEqual({ seq: 4, problem: 'missing' });
  });
});

describe('kontor audit verify (CLI)', () => {
  it('exits 0 on an intact chain and 1 naming the event after tampering', async () => {
    if (process.env.DATABASE_URL) return; // the CLI test needs its own data directory
    const dir = mkdtempSync(join(tmpdir(), 'kontor-cli-'));
    const env = { ...process.env, KONTOR_DATA_DIR: dir };
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, encoding: 'utf8' });
    expect(run('init')).toContain('password:');
    expect(run('audit', 'verify', 'provider')).toContain('chain intact');
    // Tamper through PGlite directly (the CLI has closed the database).
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dir);
    await db.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
      UPDATE audit_events SET action = 'forged' WHERE seq = 1;`);
    await db.close();
    let output = '';
    let status = 0;
    try {
      run('audit', 'verify', 'provider');
    } catch (e) {
      const err = e as { status: number; stdout: string };
      status = err.status;
      output = err.stdout;
    }
    expect(status).toBe(1);
    expect(output).toContain('event 1: hash mismatch');
  }, 180_000); // three CLI processes, each opening the database: slow on a busy 2-core machine
});
