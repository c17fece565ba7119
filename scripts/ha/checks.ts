import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { call } from './http.js';
import type { Records } from './load.js';
import type { Scene } from './scene.js';

const run = promisify(execFile);

export interface CheckResult {
  /** Acknowledged writes missing from the database, by kind. */
  lost: { users: number; roles: number; shares: number; sessions: number };
  acknowledgedWrites: number;
  /** Creates retried with the same key that did not end with exactly one user and its 201. */
  idempotencyViolations: string[];
  retriedCreates: number;
  /** How the creates retried with their key ended: "201", "201 replayed", "409 resource.conflict", … */
  retriedOutcomes: Record<string, number>;
  instancesServing: boolean;
  revocationHolds: boolean;
  auditOk: boolean;
  problems: string[];
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Reads back every acknowledged write through the write endpoint. */
async function lostWrites(url: string, scene: Scene, rec: Records, res: CheckResult): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const acked = rec.created.filter((c) => c.id);
    const ids = acked.map((c) => c.id as string);
    const found = await db.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::uuid[])', [ids]);
    const present = new Set(found.rows.map((r) => r.id));
    res.lost.users = ids.filter((id) => !present.has(id)).length;
    const retried = rec.created.filter((c) => c.attempts > 1);
    res.retriedCreates = retried.length;
    for (const c of retried) {
      const k =
        c.finalStatus === 201 ? (c.replayed ? '201 replayed' : '201') : `${c.finalStatus} ${c.finalCode ?? ''}`.trim();
      res.retriedOutcomes[k] = (res.retriedOutcomes[k] ?? 0) + 1;
    }
    const counts = await db.query<{ login_name: string; n: string; id: string }>(
      'SELECT login_name, count(*) AS n, min(id::text) AS id FROM users WHERE tenant_id = $1 AND login_name = ANY($2) GROUP BY login_name',
      [scene.rootId, retried.map((c) => c.loginName)],
    );
    const byLogin = new Map(counts.rows.map((r) => [r.login_name, r]));
    for (const c of retried) {
      const row = byLogin.get(c.loginName);
      const n = Number(row?.n ?? 0);
      if (n > 1) res.idempotencyViolations.push(`${c.loginName}: ${n} users`);
      else if (c.finalStatus === 201 && (n !== 1 || row?.id !== c.id)) {
        res.idempotencyViolations.push(`${c.loginName}: answered ${c.id}, database has ${row?.id ?? 'none'}`);
      } else if (c.finalStatus !== 201 && n === 1) {
        res.idempotencyViolations.push(
          `${c.loginName}: created, but the retry with the same key answered ${c.finalStatus} ${c.finalCode ?? ''}`,
        );
      }
    }
    const roleRows = await db.query<{ user_id: string; roles: string[] }>(
      'SELECT user_id, array_agg(role_key) AS roles FROM user_roles WHERE user_id = ANY($1::uuid[]) GROUP BY user_id',
      [[...rec.roles.keys()]],
    );
    const inDb = new Map(roleRows.rows.map((r) => [r.user_id, r.roles]));
    for (const [userId, r] of rec.roles) {
      if (!r.acked) continue;
      const now = inDb.get(userId) ?? [];
      if (![r.acked, ...r.unknown].some((s) => sameSet(s, now))) {
        res.lost.roles++;
        res.problems.push(`roles of ${userId}: acknowledged ${r.acked.join('+')}, database has ${now.join('+')}`);
      }
    }
    const shares = await db.query<{ id: string }>('SELECT id FROM shares WHERE id = ANY($1::uuid[])', [rec.shares]);
    res.lost.shares = rec.shares.length - shares.rowCount!;
    res.acknowledgedWrites = ids.length + rec.shares.length + rec.sessions.length;
  } finally {
    await db.end();
  }
  // A session acknowledged by sign-in must still be known (its row committed) after the fault.
  for (const s of rec.sessions) {
    const a = await call(s.base, 'GET', '/api/v1/me', { cookie: s.cookie });
    if (a.status === 401) res.lost.sessions++;
    else if (a.status !== 200) res.problems.push(`session check answered ${a.status} ${a.body?.code ?? a.error ?? ''}`);
  }
}

/** Both instances answer /readyz and a decision again without a restart (waits up to 30 s). */
async function instancesServe(bases: string[], scene: Scene, res: CheckResult): Promise<void> {
  for (const base of bases) {
    let ok = false;
    for (let i = 0; i < 60 && !ok; i++) {
      const ready = await call(base, 'GET', '/readyz');
      const check = await call(base, 'POST', '/api/v1/check', {
        token: scene.token,
        body: { userId: scene.roleUsers[0], tenantId: scene.rootId, permission: 'shop.use' },
      });
      ok = ready.status === 200 && check.status === 200 && check.body.allowed === true;
      if (!ok) await sleep(500);
    }
    if (!ok) {
      res.instancesServing = false;
      res.problems.push(`${base} does not serve again`);
    }
  }
}

/** The victim locked before the fault: denied by every instance, its session refused. */
async function revocationHolds(
  bases: string[],
  scene: Scene,
  victim: { id: string; cookie: string },
  res: CheckResult,
): Promise<void> {
  for (const base of bases) {
    const d = await call(base, 'POST', '/api/v1/check', {
      token: scene.token,
      body: { userId: victim.id, tenantId: scene.rootId, permission: 'shop.use' },
    });
    const s = await call(base, 'GET', '/api/v1/me', { cookie: victim.cookie });
    if (d.status !== 200 || d.body.allowed !== false || s.status !== 401) {
      res.revocationHolds = false;
      res.problems.push(`revocation on ${base}: check ${d.status} allowed=${d.body?.allowed}, session ${s.status}`);
    }
  }
}

/** `kontor audit verify` for every tenant, in parallel. */
async function auditVerifies(env: Record<string, string>, slugs: string[], res: CheckResult): Promise<void> {
  await Promise.all(
    slugs.map(async (slug) => {
      try {
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', slug],
          {
            env: { ...process.env, ...env },
          },
        );
        if (!stdout.includes('OK:')) throw new Error(stdout);
      } catch (e) {
        res.auditOk = false;
        const out = (e as { stdout?: string }).stdout ?? String(e);
        res.problems.push(`audit verify ${slug}: ${out.trim().slice(0, 300)}`);
      }
    }),
  );
}

export async function verifyPhase(o: {
  url: string;
  env: Record<string, string>;
  bases: string[];
  scene: Scene;
  records: Records;
  victim: { id: string; cookie: string };
}): Promise<CheckResult> {
  const res: CheckResult = {
    lost: { users: 0, roles: 0, shares: 0, sessions: 0 },
    acknowledgedWrites: 0,
    idempotencyViolations: [],
    retriedCreates: 0,
    retriedOutcomes: {},
    instancesServing: true,
    revocationHolds: true,
    auditOk: true,
    problems: [],
  };
  await instancesServe(o.bases, o.scene, res);
  await lostWrites(o.url, o.scene, o.records, res);
  await revocationHolds(o.bases, o.scene, o.victim, res);
  await auditVerifies(o.env, [o.scene.rootSlug, ...o.scene.consumers.map((c) => c.slug)], res);
  return res;
}
