/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --no-http]`: Kontor's decision engine against
 * peers on the standard scenario (issue 7), session and sign-in costs, the OP's token endpoint
 * against a bare oidc-provider (issue 15), and (with DATABASE_URL)
 * listing latency at 1,000,000 users; printed as tables and optionally written as JSON with
 * stable keys (see docs/benchmarks.md).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runHttp } from './http.js';
import { runInProcess } from './in-process.js';
import { runListing } from './listing.js';
import { generateScenario, STANDARD } from './scenario.js';
import { runSignIns } from './sign-ins.js';
import { printTokens, runTokens } from './tokens.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const withHttp = !args.includes('--no-http');
const log = (m: string) => process.stderr.write(`${m}\n`);

const size = quick ? { ...STANDARD, queries: 100_000 } : STANDARD;
const reps = 5;
const t0 = Date.now();
log(`scenario: ${JSON.stringify(size)}${quick ? ' (quick)' : ''}`);
const scenario = generateScenario(size);
const inProcess = await runInProcess(scenario, {
  reps,
  casbinQueries: quick ? 1_000 : 10_000,
  asyncQueries: quick ? 100_000 : 1_000_000,
  sample: quick ? 10_000 : 100_000,
  log,
});
const http = withHttp ? await runHttp(scenario, { quick, log }) : null;
const httpDatabase = withHttp ? (process.env.DATABASE_URL ? 'postgres' : 'pglite') : null;
const signIns = withHttp ? await runSignIns({ quick, log }) : null;
const tokens = withHttp ? await runTokens({ quick, log }) : null;
const listing = await runListing({ quick, log });

const k = inProcess.kontor.checksPerSecond;
/** Three significant digits: a ratio of 0.004 must not print as 0. */
const sig = (x: number) => Number(x.toPrecision(3));
const ratio = (x: number) => sig(x > 0 ? k / x : 0);
const result = {
  schema: 'kontor-bench/1',
  quick,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  scenario: {
    tenants: scenario.tenants.length,
    users: scenario.users.length,
    roles: scenario.roles.length,
    permissions: scenario.catalogue.list().length,
    queries: scenario.queries.users.length,
    allowedShare: Math.round((inProcess.kontor.allowed / inProcess.kontor.queries) * 1000) / 1000,
  },
  inProcess,
  ratios: {
    kontorVsNaiveMap: ratio(inProcess.naiveMap.checksPerSecond),
    kontorVsCasbin: ratio(inProcess.casbin.checksPerSecond),
    kontorVsCasl: ratio(inProcess.casl.checksPerSecond),
    kontorAsyncVsNaiveMap: sig(inProcess.kontorAsync.checksPerSecond / inProcess.naiveMap.checksPerSecond),
    ...(http
      ? {
          httpCheckVsBareFastify: sig(http.kontorCheck.requestsPerSecond / http.bareFastify.requestsPerSecond),
          sessionMeRequestsPerSecond: http.sessionMe.requestsPerSecond,
        }
      : {}),
    ...(signIns ? { signInsOfCeiling: signIns.ofCeiling } : {}),
    ...(tokens
      ? {
          tokenClientCredentialsVsBareOidcProvider: tokens.ratios.clientCredentials,
          tokenRefreshVsBareOidcProvider: tokens.ratios.refresh,
          tokenClientCredentialsPerVcpuVsKeycloak: tokens.ratios.clientCredentialsVsKeycloakPerVcpu,
        }
      : {}),
  },
  http,
  httpDatabase,
  /** How requests verified the session cache: `strict` (a shared version read) or `notify`. */
  cacheFreshness: withHttp
    ? process.env.DATABASE_URL
      ? (process.env.KONTOR_CACHE_FRESHNESS ?? 'strict')
      : 'pglite'
    : null,
  signIns,
  tokens,
  listing,
  seconds: Math.round((Date.now() - t0) / 100) / 10,
};

const fmt = (n: number) => n.toLocaleString('en-US');
const rows: [string, number, string][] = [
  ['Kontor engine (sync tryDecide)', k, '1.00'],
  [
    'Kontor engine (async decide)',
    inProcess.kontorAsync.checksPerSecond,
    String(sig(k / inProcess.kontorAsync.checksPerSecond)),
  ],
  ['naive Map<"user|tenant", Set>', inProcess.naiveMap.checksPerSecond, String(result.ratios.kontorVsNaiveMap)],
  ['casbin (RBAC with domains)', inProcess.casbin.checksPerSecond, String(result.ratios.kontorVsCasbin)],
  ['@casl/ability', inProcess.casl.checksPerSecond, String(result.ratios.kontorVsCasl)],
];
console.log(
  `\nIn-process checks/s, median of ${reps} (${result.scenario.queries} queries, ${Math.round(result.scenario.allowedShare * 100)} % allowed)`,
);
console.log('| contender | checks/s | Kontor ÷ contender |\n|---|---:|---:|');
for (const [name, rate, r] of rows) console.log(`| ${name} | ${fmt(rate)} | ${r} |`);
console.log(`cross-check: ${inProcess.crossCheck.sample} queries, ${inProcess.crossCheck.mismatches} mismatches`);
if (http) {
  console.log('\nHTTP (autocannon, own process, 10 connections, keep-alive)');
  console.log('| endpoint | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|');
  for (const [name, h] of Object.entries(http))
    console.log(`| ${name} | ${fmt(h.requestsPerSecond)} | ${h.p50} | ${h.p99} |`);
}
if (signIns) {
  console.log(
    `\nSign-ins: ${signIns.signInsPerSecond}/s (p50 ${signIns.p50} ms, p99 ${signIns.p99} ms, ${signIns.connections} connections); ` +
      `one argon2id verification ${signIns.hashMs} ms → ceiling ${signIns.ceilingPerSecond}/s; ${signIns.ofCeiling} of it`,
  );
}
if (tokens) printTokens(tokens);
if (listing) {
  console.log(
    `\nListing on PostgreSQL: ${fmt(listing.tenants)} tenants, ${fmt(listing.users)} users, ${fmt(listing.bigTenantUsers)} in one tenant (seeded in ${listing.seedSeconds} s)`,
  );
  console.log('| query | p50 ms | p99 ms |\n|---|---:|---:|');
  for (const key of [
    'usersPage',
    'usersPageDeep',
    'nameSearch',
    'nameSearchRare',
    'subtreeRoot',
    'subtreeRootDeep',
  ] as const)
    console.log(`| ${key} | ${listing[key].p50} | ${listing[key].p99} |`);
}
console.log(`\nratios: ${JSON.stringify(result.ratios)}  (${result.seconds} s)`);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
if (inProcess.crossCheck.mismatches > 0) process.exitCode = 1;
