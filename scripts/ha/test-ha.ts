// `npm run test:ha`: Kontor under a mixed load on the local Patroni cluster (`kontor cluster up`)
// while the leader is killed, switched over, its postmaster killed, and a lagging standby
// promoted. Checks after each fault that nothing acknowledged was lost; see docs/scale-out.md.
//
//   npm run test:ha [-- --keep] [--json FILE] [--dir data/cluster] [--only leader-kill,switchover]
//                   [--nodes 3 (for a new cluster folder)]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { clusterDown, clusterUp } from '../../src/cluster/cluster.js';
import { endpointUrl } from '../../src/cluster/cluster-config.js';
import { type CheckResult, verifyPhase } from './checks.js';
import { FAULTS, type FaultName, type FaultReport, injectFault } from './faults.js';
import { call, expectStatus } from './http.js';
import { type Instance, printed, startInstance, stopInstance } from './instances.js';
import { Load, type Records, type Tally, writeGap } from './load.js';
import { PASSWORD, type Scene, seedScene } from './scene.js';

const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    json: { type: 'string' },
    dir: { type: 'string', default: './data/cluster' },
    only: { type: 'string' },
    nodes: { type: 'string' },
    'load-seconds': { type: 'string', default: '4' },
  },
});
const faults = (args.only ? args.only.split(',') : FAULTS) as FaultName[];
for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`Unknown fault ${f}; one of ${FAULTS.join(', ')}`);
const LOAD_MS = Number(args['load-seconds']) * 1000;

const started = Date.now();
const log = (s: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${s}\n`);

interface PhaseResult {
  fault: FaultName;
  leader: string;
  writeGapSeconds: number;
  promotedAfterSeconds: number | null;
  recoveredAfterSeconds: number;
  tally: Omit<Tally, 'writeAcks'>;
  checks: CheckResult;
  notes: string[];
  violations: string[];
}

function violationsOf(t: Tally, c: CheckResult): string[] {
  const v: string[] = [];
  const lost = c.lost.users + c.lost.roles + c.lost.shares + c.lost.sessions;
  if (lost > 0) v.push(`acknowledged but lost: ${JSON.stringify(c.lost)}`);
  if (t.other5xx > 0) v.push(`${t.other5xx} answers were 5xx other than 503: ${t.other5xxSamples.join(' | ')}`);
  if (!c.instancesServing) v.push('an instance does not serve again');
  if (!c.revocationHolds) v.push('a revocation acknowledged before the fault does not hold');
  if (!c.auditOk) v.push('an audit chain does not verify');
  if (c.idempotencyViolations.length > 0) v.push(`idempotency: ${c.idempotencyViolations.join('; ')}`);
  return v;
}

/** Signs the victim in, warms both instances' decision caches with an allow, then locks it. */
async function revokeBeforeFault(bases: string[], scene: Scene, victim: Scene['victims'][number]) {
  const login = await call(bases[0] as string, 'POST', '/api/v1/auth/login', {
    body: { tenant: scene.rootSlug, username: victim.login, password: PASSWORD },
  });
  expectStatus(login, 200, `sign-in of ${victim.login}`);
  for (const base of bases) {
    const d = await call(base, 'POST', '/api/v1/check', {
      token: scene.token,
      body: { userId: victim.id, tenantId: scene.rootId, permission: 'shop.use' },
    });
    if (d.body?.allowed !== true) throw new Error(`${victim.login} should be allowed before the lock`);
  }
  const lock = await call(bases[1] as string, 'POST', `/api/v1/users/${victim.id}/lock`, { token: scene.token });
  expectStatus(lock, 200, `lock ${victim.login}`);
  return { id: victim.id, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] as string };
}

function printTable(results: PhaseResult[]): void {
  const head = [
    'fault',
    'gap s',
    'elect s',
    'recov s',
    'sent',
    'acked',
    '503',
    'no answer',
    'acked-lost',
    'other 5xx',
    'ok',
  ];
  const rows = results.map((r) => [
    r.fault,
    r.writeGapSeconds.toFixed(1),
    r.promotedAfterSeconds === null ? '-' : r.promotedAfterSeconds.toFixed(1),
    r.recoveredAfterSeconds.toFixed(1),
    String(r.tally.sent),
    String(r.tally.ok),
    String(r.tally.refused503),
    String(r.tally.noAnswer),
    String(r.checks.lost.users + r.checks.lost.roles + r.checks.lost.shares + r.checks.lost.sessions),
    String(r.tally.other5xx),
    r.violations.length === 0 ? 'yes' : 'NO',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  process.stdout.write(`\n${line(head)}\n${rows.map(line).join('\n')}\n\n`);
}

const instances: Instance[] = [];
let dataDir: string | undefined;
let exitCode = 1;
let cleanupDb: (() => Promise<void>) | undefined;

async function main(): Promise<void> {
  const c = await clusterUp({
    dir: args.dir!,
    ...(args.nodes ? { nodes: Number(args.nodes) } : {}),
    log: (s) => log(`cluster: ${s}`),
  });
  const dbName = `kontor_ha_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: endpointUrl(c, 'write') });
  await admin.connect();
  const old = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'kontor_ha_%'",
  );
  for (const r of old.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  cleanupDb = async () => {
    const a = new pg.Client({ connectionString: endpointUrl(c, 'write') });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  };
  const url = endpointUrl(c, 'write', 'app', dbName);
  dataDir = mkdtempSync(join(tmpdir(), 'kontor-ha-'));
  const env = {
    DATABASE_URL: url,
    KONTOR_DATA_DIR: dataDir,
    KONTOR_SECRET_KEY: randomBytes(32).toString('base64'),
    KONTOR_LOG_LEVEL: 'warn',
  };
  log(`database ${dbName}; starting two Kontor instances on the write endpoint :${c.ports.write}`);
  instances.push(await startInstance('kontor-a', c.basePort + 100, env));
  instances.push(await startInstance('kontor-b', c.basePort + 101, env));
  const bases = instances.map((i) => i.base);
  const a = instances[0]!;
  const creds = { tenant: printed(a, 'tenant'), username: printed(a, 'username'), password: printed(a, 'password') };
  const scene = await seedScene(a.base, creds, faults.length);
  log(`scene seeded: provider + ${scene.consumers.length} consumers, ${scene.roleUsers.length} role users`);
  const roles: Records['roles'] = new Map();
  const results: PhaseResult[] = [];
  for (const [i, fault] of faults.entries()) {
    const victim = await revokeBeforeFault(bases, scene, scene.victims[i]!);
    const load = new Load(bases, scene, `${i}`, roles);
    load.start();
    await sleep(LOAD_MS);
    const faultAt = Date.now();
    log(`${fault}: injecting under load`);
    let report: FaultReport;
    try {
      report = await injectFault(c, fault);
    } finally {
      await sleep(LOAD_MS);
    }
    const stopAt = Date.now();
    await load.stop();
    log(
      `${fault}: ${report.notes.join('; ')}; ${report.from} → ${report.to}, healthy after ${report.recoveredAfter.toFixed(1)} s`,
    );
    const dead = instances.filter((x) => x.child.exitCode !== null || x.child.signalCode !== null);
    if (dead.length > 0) {
      for (const x of dead)
        process.stdout.write(`--- ${x.name} exited; output (tail) ---\n${x.output().slice(-3000)}\n`);
      throw new Error(`${dead.map((x) => x.name).join(', ')} exited during ${fault}: Kontor must survive a failover`);
    }
    const checks = await verifyPhase({ url, env, bases, scene, records: load.records, victim });
    const { writeAcks, ...tally } = load.tally;
    const r: PhaseResult = {
      fault,
      leader: `${report.from} → ${report.to}`,
      writeGapSeconds: writeGap(writeAcks, faultAt, stopAt),
      promotedAfterSeconds: report.promotedAfter ?? null,
      recoveredAfterSeconds: report.recoveredAfter,
      tally,
      checks,
      notes: report.notes,
      violations: violationsOf(load.tally, checks),
    };
    results.push(r);
    log(
      `${fault}: gap ${r.writeGapSeconds.toFixed(1)} s, sent ${tally.sent}, acked ${tally.ok}, 503 ${tally.refused503}, ` +
        `no answer ${tally.noAnswer}, 4xx ${JSON.stringify(tally.client4xx)}, retried creates ${JSON.stringify(checks.retriedOutcomes)}` +
        (r.violations.length ? `\n  VIOLATIONS: ${r.violations.join('\n  ')}` : ', all checks passed') +
        (checks.problems.length ? `\n  problems: ${checks.problems.slice(0, 10).join('\n  ')}` : ''),
    );
  }
  printTable(results);
  const seconds = (Date.now() - started) / 1000;
  if (args.json) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ seconds, timing: c.timing, nodes: c.nodeNames.length, results }, null, 2)}\n`,
    );
  }
  const failedPhases = results.filter((r) => r.violations.length > 0);
  log(failedPhases.length ? `FAILED: ${failedPhases.map((r) => r.fault).join(', ')}` : 'all faults passed');
  exitCode = failedPhases.length ? 1 : 0;
}

async function cleanup(): Promise<void> {
  await Promise.all(instances.map(stopInstance));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (!args.keep) {
    await cleanupDb?.().catch(() => {});
    await clusterDown(args.dir!, false, (s) => log(`cluster: ${s}`));
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) return;
  interrupted = true;
  log('interrupted; stopping what was started');
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
} catch (e) {
  log(`test:ha failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  if (!interrupted) await cleanup();
}
process.exit(exitCode);
