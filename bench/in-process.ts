import type { MongoAbility } from '@casl/ability';
import { DecisionEngine } from '../src/app/decisions.js';
import type { DecisionSource } from '../src/domain/decision-source.js';
import { casbinEnforcer, caslAbilities, caslCan, effectiveGrants, type Grants, naiveMap } from './peers.js';
import type { Queries, Scenario } from './scenario.js';

type Enforcer = Awaited<ReturnType<typeof casbinEnforcer>>;

export interface Rate {
  /** Checks per second, median of the repetitions. */
  checksPerSecond: number;
  queries: number;
  allowed: number;
  repetitions: number;
}

export interface InProcessResult {
  kontor: Rate;
  kontorAsync: Rate;
  naiveMap: Rate;
  casbin: Rate;
  casl: Rate;
  crossCheck: { sample: number; mismatches: number };
  setupSeconds: Record<string, number>;
}

/** The engine over an in-memory source: what is measured is the engine, not a database. */
export async function kontorEngine(s: Scenario): Promise<DecisionEngine> {
  const users = new Map(s.users.map((u) => [u.userId, u]));
  const places = new Map(s.tenants.map((t) => [t.id, { parentId: t.parentId, path: t.path }]));
  const source: DecisionSource = {
    version: async () => 1,
    roles: async () => s.roles,
    userFacts: async (id) => users.get(id),
    tenantPlace: async (id) => places.get(id),
  };
  return new DecisionEngine(source, s.catalogue, { now: () => new Date() });
}

// One loop per contender, each monomorphic, so no contender pays for another's call shape.
function loopKontor(e: DecisionEngine, q: Queries, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const d = e.tryDecide(q.users[i] as string, q.tenants[i] as string, q.permissions[i] as string);
    if (d === undefined) throw new Error('engine cache is not warm');
    if (d.allowed) allowed++;
  }
  return allowed;
}

async function loopKontorAsync(e: DecisionEngine, q: Queries, n: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    if ((await e.decide(q.users[i] as string, q.tenants[i] as string, q.permissions[i] as string)).allowed) allowed++;
  }
  return allowed;
}

function loopNaive(m: Map<string, Set<string>>, q: Queries, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const set = m.get(`${q.users[i]}|${q.tenants[i]}`);
    if (set?.has(q.permissions[i] as string)) allowed++;
  }
  return allowed;
}

function loopCasbin(e: Enforcer, q: Queries, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (e.enforceSync(q.users[i], q.tenants[i], q.permissions[i])) allowed++;
  return allowed;
}

function loopCasl(a: Map<string, MongoAbility>, q: Queries, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++)
    if (caslCan(a, q.users[i] as string, q.tenants[i] as string, q.permissions[i] as string)) allowed++;
  return allowed;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** One untimed warm-up run, then `reps` timed runs; the median rate. */
async function measure(n: number, reps: number, run: () => number | Promise<number>): Promise<Rate> {
  let allowed = await run();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    allowed = await run();
    rates.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return { checksPerSecond: Math.round(median(rates)), queries: n, allowed, repetitions: reps };
}

async function timed<T>(label: string, into: Record<string, number>, fn: () => T | Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  into[label] = Number(process.hrtime.bigint() - t0) / 1e9;
  return out;
}

export async function runInProcess(
  s: Scenario,
  opts: { reps: number; casbinQueries: number; asyncQueries: number; sample: number; log: (m: string) => void },
): Promise<InProcessResult> {
  const setup: Record<string, number> = {};
  const q = s.queries;
  const n = q.users.length;
  const grants: Grants = await timed('grants', setup, () => effectiveGrants(s));
  const engine = await timed('kontor', setup, async () => {
    const e = await kontorEngine(s);
    // warm: every (user, tenant) the queries touch is compiled once, as a running server would have it
    for (let i = 0; i < n; i += 10_000) {
      const slice = q.users.slice(i, i + 10_000).map((userId, j) => ({
        userId,
        tenantId: q.tenants[i + j] as string,
        permission: q.permissions[i + j] as string,
      }));
      await e.decideMany(slice);
    }
    return e;
  });
  const map = await timed('naiveMap', setup, () => naiveMap(grants));
  const enforcer = await timed('casbin', setup, () => casbinEnforcer(s));
  const abilities = await timed('casl', setup, () => caslAbilities(grants));

  const sample = Math.min(opts.sample, n);
  let mismatches = 0;
  for (let i = 0; i < sample; i++) {
    const [u, t, p] = [q.users[i] as string, q.tenants[i] as string, q.permissions[i] as string];
    const want = engine.tryDecide(u, t, p)?.allowed;
    const others = [map.get(`${u}|${t}`)?.has(p) ?? false, enforcer.enforceSync(u, t, p), caslCan(abilities, u, t, p)];
    if (others.some((x) => x !== want)) mismatches++;
  }
  opts.log(`cross-check: ${sample} queries, ${mismatches} mismatches`);

  const reps = opts.reps;
  opts.log('measuring kontor engine …');
  const kontor = await measure(n, reps, () => loopKontor(engine, q, n));
  const asyncN = Math.min(opts.asyncQueries, n);
  const kontorAsync = await measure(asyncN, reps, () => loopKontorAsync(engine, q, asyncN));
  opts.log('measuring naive map …');
  const naive = await measure(n, reps, () => loopNaive(map, q, n));
  opts.log('measuring casbin …');
  const cn = Math.min(opts.casbinQueries, n);
  const casbin = await measure(cn, reps, () => loopCasbin(enforcer, q, cn));
  opts.log('measuring casl …');
  const casl = await measure(n, reps, () => loopCasl(abilities, q, n));
  return {
    kontor,
    kontorAsync,
    naiveMap: naive,
    casbin,
    casl,
    crossCheck: { sample, mismatches },
    setupSeconds: setup,
  };
}
