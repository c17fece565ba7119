// `npm run soak -- --minutes N`: two `kontor serve` processes on one PostgreSQL (loopback, a schema
// of their own, dropped at the end), a seeded scene, and a mixed workload from several concurrent
// clients. Every few seconds it samples throughput, p50/p99 per kind, errors and each instance's
// RSS; at the end it prints a table, writes the figures into docs/reliability.md (between the
// soak markers) and exits non-zero on any error or on memory growth above the threshold.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import pg from 'pg';
import {
  type Answer,
  type Cluster,
  call,
  DEFAULT_DATABASE_URL,
  expectStatus,
  runId,
  type Session,
  schemaName,
  signIn,
  startCluster,
} from '../test/reliability/instances.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PASSWORD = 'Soak-Password-2026!';
const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';

export interface SoakOptions {
  minutes: number;
  databaseUrl: string;
  clients: number;
  sampleSeconds: number;
  /** Allowed RSS growth from the first to the last third of the run, in per cent. */
  maxGrowthPercent: number;
  /** Where to write the figures; undefined: nowhere. */
  report?: string | undefined;
  log?: (s: string) => void;
}

interface Sample {
  atSeconds: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  rssMiB: number[];
  /** The machine's 1-minute load average: other work on the same CPUs shows here. */
  load: number;
}

export interface KindFigures {
  kind: string;
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SoakResult {
  seconds: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  kinds: KindFigures[];
  samples: Sample[];
  /** Per instance: mean RSS (MiB) over the first and the last third of the samples. */
  memory: { instance: string; firstMiB: number; lastMiB: number; growthPercent: number }[];
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; postgres: string };
  ok: boolean;
}

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

interface Scene {
  admin: Session;
  root: string;
  child: string;
  childAdmin: Session;
  token: string;
  /** Sign-in and /me users (password PASSWORD, already changed). */
  people: { login: string; id: string }[];
  /** Per client: a user whose roles it changes and one it shares into the child and back. */
  perClient: { roleUser: string; shareUser: string; session: Session }[];
}

async function seed(c: Cluster, clients: number): Promise<Scene> {
  const A = c.instances[0]?.url ?? '';
  const admin = await signIn(A, c.firstAdmin, PASSWORD);
  const root = admin.tenantId;
  const token = expectStatus(await call(A, admin, 'POST', '/api/v1/me/tokens', { name: 'soak decisions' }), 201)
    .token as string;
  const child = expectStatus(
    await call(A, admin, 'POST', `/api/v1/tenants/${root}/children`, {
      kind: 'consumer',
      name: 'Soak customer',
      slug: 'soak-child',
      primaryUser: { loginName: 'soak-child-admin', password: PASSWORD, roles: ['AdministrationAdvanced'] },
    }),
    201,
  ).tenant.id as string;
  const childAdmin = await signIn(
    A,
    { tenant: 'soak-child', username: 'soak-child-admin', password: PASSWORD },
    `${PASSWORD}x`,
  );
  const user = async (login: string, roles: string[]) =>
    expectStatus(
      await call(A, admin, 'POST', `/api/v1/tenants/${root}/users`, { loginName: login, password: PASSWORD, roles }),
      201,
    ).user.id as string;
  const people: Scene['people'] = [];
  for (let i = 0; i < 12; i++) {
    const login = `soak-person-${i}`;
    const id = await user(login, ['CustomerBasic']);
    // The first sign-in changes the administrator-set password; afterwards it is PASSWORD+.
    await signIn(A, { tenant: 'provider', username: login, password: PASSWORD }, `${PASSWORD}+`);
    people.push({ login, id });
  }
  const perClient: Scene['perClient'] = [];
  for (let i = 0; i < clients; i++) {
    const person = people[i % people.length] as Scene['people'][number];
    perClient.push({
      roleUser: await user(`soak-roles-${i}`, []),
      shareUser: await user(`soak-share-${i}`, ['CustomerBasic']),
      session: await signIn(A, { tenant: 'provider', username: person.login, password: `${PASSWORD}+` }),
    });
  }
  return { admin, root, child, childAdmin, token, people, perClient };
}

const ROLE_SETS = [['CustomerBasic'], ['CustomerAdvanced'], ['Marketing', 'CustomerBasic'], ['SalesBasic'], []];
const PERMISSIONS = ['shop.use', 'users.read', 'orders.read', 'tenants.read', 'no.such.permission'];

/** The workload's mix: kind → weight. Share cycles are three requests (offer, import, end). */
const MIX: [string, number][] = [
  ['check', 40],
  ['me', 15],
  ['users.list', 15],
  ['signin', 10],
  ['roles', 10],
  ['share', 10],
];

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const schema = schemaName(runId());
  log(`soak: starting two instances on ${o.databaseUrl} (schema ${schema})`);
  const c = await startCluster({ count: 2, databaseUrl: o.databaseUrl, schema, dropSchema: true });
  try {
    const scene = await seed(c, o.clients);
    const urls = c.instances.map((i) => i.url);
    let n = 0;
    const next = () => urls[n++ % urls.length] as string;
    const lat = new Map<string, number[]>();
    let window: number[] = [];
    let requests = 0;
    let errors = 0;
    let windowErrors = 0;
    const errorSamples: string[] = [];
    const timed = async (
      kind: string,
      expected: number,
      f: (base: string) => Promise<Answer>,
    ): Promise<Answer | undefined> => {
      const base = next();
      const t0 = performance.now();
      let r: Answer | undefined;
      try {
        r = await f(base);
      } catch (e) {
        r = undefined;
        if (errorSamples.length < 20) errorSamples.push(`${kind} ${base}: ${(e as Error).message}`);
      }
      const ms = performance.now() - t0;
      requests++;
      const list = lat.get(kind) ?? [];
      list.push(ms);
      lat.set(kind, list);
      window.push(ms);
      if (!r || r.status !== expected) {
        errors++;
        windowErrors++;
        if (r && errorSamples.length < 20) errorSamples.push(`${kind} ${base}: ${r.status} ${JSON.stringify(r.body)}`);
        return undefined;
      }
      return r;
    };
    const total = MIX.reduce((s, [, w]) => s + w, 0);
    const chooseKind = () => {
      let x = Math.random() * total;
      for (const [k, w] of MIX) {
        x -= w;
        if (x < 0) return k;
      }
      return 'check';
    };
    const client = async (i: number, until: number) => {
      const mine = scene.perClient[i] as Scene['perClient'][number];
      let roleStep = 0;
      while (Date.now() < until) {
        const kind = chooseKind();
        if (kind === 'check') {
          const p = pick(scene.people);
          await timed('check', 200, (b) =>
            call(b, { token: scene.token }, 'POST', '/api/v1/check', {
              userId: p.id,
              tenantId: pick([scene.root, scene.child]),
              permission: pick(PERMISSIONS),
            }),
          );
        } else if (kind === 'me') {
          await timed('me', 200, (b) => call(b, mine.session, 'GET', '/api/v1/me'));
        } else if (kind === 'users.list') {
          await timed('users.list', 200, (b) =>
            call(b, scene.admin, 'GET', `/api/v1/tenants/${scene.root}/users?limit=50`),
          );
        } else if (kind === 'signin') {
          const p = pick(scene.people);
          const r = await timed('signin', 200, (b) =>
            call(b, undefined, 'POST', '/api/v1/auth/login', {
              tenant: 'provider',
              username: p.login,
              password: `${PASSWORD}+`,
            }),
          );
          const cookie = r?.headers.get('set-cookie')?.split(';')[0];
          // Signed out again (not timed), so sessions do not pile up beyond the workload's.
          if (r && cookie) await call(r.url, { cookie, csrf: r.body.csrfToken }, 'POST', '/api/v1/auth/logout');
        } else if (kind === 'roles') {
          const roles = ROLE_SETS[roleStep++ % ROLE_SETS.length];
          await timed('roles', 200, (b) =>
            call(b, scene.admin, 'PUT', `/api/v1/users/${mine.roleUser}/roles`, { roles }),
          );
        } else {
          const offer = await timed('share.offer', 201, (b) =>
            call(b, scene.admin, 'POST', `/api/v1/users/${mine.shareUser}/shares`, { tenantId: scene.child }),
          );
          if (!offer) continue;
          const id = offer.body.share.id as string;
          await timed('share.import', 200, (b) => call(b, scene.childAdmin, 'POST', `/api/v1/shares/${id}/accept`));
          await timed('share.end', 200, (b) => call(b, scene.admin, 'DELETE', `/api/v1/shares/${id}`));
        }
      }
    };
    const started = Date.now();
    const until = started + o.minutes * 60_000;
    const samples: Sample[] = [];
    let lastRequests = 0;
    const sampler = setInterval(() => {
      const s: Sample = {
        atSeconds: Math.round((Date.now() - started) / 1000),
        requests: requests - lastRequests,
        errors: windowErrors,
        p50: round(pct(window, 50)),
        p99: round(pct(window, 99)),
        rssMiB: c.instances.map((x) => round((x.rssKiB() ?? 0) / 1024)),
        load: round(os.loadavg()[0] ?? 0),
      };
      lastRequests = requests;
      windowErrors = 0;
      window = [];
      samples.push(s);
      log(
        `soak: ${String(s.atSeconds).padStart(4)} s  ${round(s.requests / o.sampleSeconds)} req/s  p50 ${s.p50} ms  p99 ${s.p99} ms  errors ${s.errors}  RSS ${s.rssMiB.join(' / ')} MiB`,
      );
    }, o.sampleSeconds * 1000);
    await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i, until)));
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const kinds = [...lat.entries()]
      .map(([kind, xs]) => ({
        kind,
        count: xs.length,
        perSecond: round(xs.length / seconds),
        p50: round(pct(xs, 50)),
        p99: round(pct(xs, 99)),
        max: round(Math.max(...xs)),
      }))
      .sort((a, b) => b.count - a.count);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const memory = c.instances.map((inst, i) => {
      const firstMiB = round(mean(samples.slice(0, third).map((s) => s.rssMiB[i] ?? 0)));
      const lastMiB = round(mean(samples.slice(-third).map((s) => s.rssMiB[i] ?? 0)));
      return { instance: inst.name, firstMiB, lastMiB, growthPercent: round(((lastMiB - firstMiB) / firstMiB) * 100) };
    });
    const machine = await machineInfo(o.databaseUrl);
    const ok = errors === 0 && memory.every((m) => m.growthPercent <= o.maxGrowthPercent);
    return { seconds: round(seconds), requests, errors, errorSamples, kinds, samples, memory, machine, ok };
  } finally {
    await c.stop();
  }
}

async function machineInfo(databaseUrl: string): Promise<SoakResult['machine']> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const v = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    return {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model.trim() ?? '?',
      memGiB: round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: v,
    };
  } finally {
    await client.end();
  }
}

/** The figures as Markdown: machine, per-kind table, samples over time, memory. */
export function renderFigures(r: SoakResult, o: SoakOptions): string {
  const m = r.machine;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${o.minutes} min, ${o.clients} concurrent clients, two instances,`,
    `${m.cpus} CPUs (${m.cpuModel}), ${m.memGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}, everything on one machine.`,
    '',
    `**${r.requests} requests in ${r.seconds} s (${round(r.requests / r.seconds)} per second), ${r.errors} errors.**`,
    '',
    '| kind | requests | per second | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.kinds.map((k) => `| ${k.kind} | ${k.count} | ${k.perSecond} | ${k.p50} | ${k.p99} | ${k.max} |`),
    '',
    `Over time (each row one sampling interval, all kinds together; load is the machine's 1-minute load average, ${m.cpus} CPUs):`,
    '',
    '| at s | req/s | p50 ms | p99 ms | errors | RSS instance 1 / 2 MiB | load |',
    '|---:|---:|---:|---:|---:|---|---:|',
    ...r.samples.map(
      (s) =>
        `| ${s.atSeconds} | ${round(s.requests / o.sampleSeconds)} | ${s.p50} | ${s.p99} | ${s.errors} | ${s.rssMiB.join(' / ')} | ${s.load} |`,
    ),
    '',
    `Memory, mean RSS of the first third against the last third (threshold ${o.maxGrowthPercent} %):`,
    '',
    ...r.memory.map((x) => `- ${x.instance}: ${x.firstMiB} MiB → ${x.lastMiB} MiB (${x.growthPercent} %)`),
  ];
  if (r.errorSamples.length > 0) lines.push('', 'First errors:', '', ...r.errorSamples.map((e) => `- \`${e}\``));
  return lines.join('\n');
}

/** Replaces what lies between the markers; the prose around them stays. */
export function writeReport(file: string, figures: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = `# Reliability\n\n${BEGIN}\n${END}\n`;
  }
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const start = text.indexOf(BEGIN) + BEGIN.length;
  const end = text.indexOf(END);
  writeFileSync(file, `${text.slice(0, start)}\n${figures}\n${text.slice(end)}`);
}

async function main(): Promise<void> {
  const program = new Command('soak')
    .description('Drive a mixed workload against two Kontor instances on one PostgreSQL')
    .option('--minutes <n>', 'how long to run', (v) => Number(v), 2)
    .option('--database-url <url>', 'PostgreSQL (a schema of its own is created and dropped)', DEFAULT_DATABASE_URL)
    .option('--clients <n>', 'concurrent clients', (v) => Number(v), 8)
    .option('--sample-seconds <n>', 'sampling interval', (v) => Number(v), 10)
    .option('--max-growth <percent>', 'allowed RSS growth, first third to last third', (v) => Number(v), 25)
    .option('--report <file>', 'Markdown file whose soak section is overwritten', 'docs/reliability.md')
    .option('--no-report', 'write no report');
  program.parse();
  const a = program.opts<{
    minutes: number;
    databaseUrl: string;
    clients: number;
    sampleSeconds: number;
    maxGrowth: number;
    report: string | false;
  }>();
  for (const [k, v] of Object.entries({ minutes: a.minutes, clients: a.clients, sampleSeconds: a.sampleSeconds })) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
  }
  const o: SoakOptions = {
    minutes: a.minutes,
    databaseUrl: a.databaseUrl,
    clients: a.clients,
    sampleSeconds: a.sampleSeconds,
    maxGrowthPercent: a.maxGrowth,
    report: a.report === false ? undefined : resolve(ROOT, a.report),
  };
  const r = await runSoak(o);
  const figures = renderFigures(r, o);
  process.stdout.write(`\n${figures}\n`);
  if (o.report) {
    writeReport(o.report, figures);
    process.stdout.write(`\nsoak: figures written to ${o.report}\n`);
  }
  if (!r.ok) {
    process.stderr.write(`soak: FAILED (${r.errors} errors; memory ${JSON.stringify(r.memory)})\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
