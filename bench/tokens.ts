import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { bootstrapProvider } from '../src/app/bootstrap.js';
import { createKontor } from '../src/compose.js';
import { createHttpApp } from '../src/compose-http.js';
import { loadConfig } from '../src/config/load-config.js';
import { dropSchema } from '../src/storage/db.js';
import { sha256 } from '../src/storage/sha256.js';
import { startBareOp } from './bare-op.js';

const run = promisify(execFile);
const PASSWORD = 'benchmark password that is long enough';
const REDIRECT = 'http://127.0.0.1:9/callback'; // never dialled: the code is read off the Location
/** Keycloak 26, "Concepts for sizing CPU and memory resources": 1 vCPU per 120 grants/s. */
export const KEYCLOAK_CC_PER_VCPU = 120;

export interface TokenRate {
  tokensPerSecond: number;
  p50: number;
  p99: number;
  /** tokensPerSecond ÷ the machine's vCPUs (server, database and load generator share them). */
  perVcpu: number;
  repetitions: number;
}

export interface TokenResult {
  connections: number;
  seconds: number;
  vcpus: number;
  kontor: { clientCredentials: TokenRate; refresh: TokenRate };
  bareOidcProvider: { clientCredentials: TokenRate; refresh: TokenRate };
  ratios: {
    clientCredentials: number;
    refresh: number;
    /** Kontor's client-credentials grants per vCPU ÷ Keycloak's published 120. */
    clientCredentialsVsKeycloakPerVcpu: number;
  };
  loadAverageBefore: number[];
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** A cookie jar by name (one origin) following redirects by hand up to the app's redirect URI. */
async function codeFlow(issuer: string, clientId: string, secret: string, cookie: string): Promise<string> {
  const config = await client.discovery(
    new URL(issuer),
    clientId,
    { redirect_uris: [REDIRECT] },
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
  const jar = new Map<string, string>();
  for (const c of cookie.split('; ').filter(Boolean)) jar.set(c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1));
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  let next = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email offline_access kontor.tenant kontor.permissions',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    // oidc-provider issues a refresh token for offline_access only with prompt=consent.
    prompt: 'consent',
  }).href;
  for (let i = 0; i < 10 && !next.startsWith(REDIRECT); i++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const sc of res.headers.getSetCookie()) {
      const pair = sc.split(';')[0] ?? '';
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`code flow stopped at ${next}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    next = new URL(loc, next).href;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(next), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  if (!tokens.refresh_token) throw new Error(`${issuer} issued no refresh token`);
  return tokens.refresh_token;
}

interface WorkerRun {
  tokensPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  refreshTokens?: string[];
}

/**
 * `reps` timed rounds after one untimed warm-up round, each in its own load-generator process;
 * the median round. Refresh chains go on from round to round (each token is spent once).
 */
async function measure(
  target: { tokenUrl: string; authorization: string },
  mode: 'client_credentials' | 'refresh_token',
  o: { connections: number; seconds: number; reps: number; refreshTokens?: string[]; vcpus: number },
): Promise<TokenRate> {
  let tokens = o.refreshTokens;
  const runs: WorkerRun[] = [];
  for (let i = 0; i <= o.reps; i++) {
    const input = {
      url: target.tokenUrl,
      authorization: target.authorization,
      mode,
      refreshTokens: tokens,
      connections: o.connections,
      seconds: i === 0 ? Math.min(1, o.seconds) : o.seconds,
    };
    const { stdout } = await run(process.execPath, ['bench/token-worker.mjs', JSON.stringify(input)], {
      maxBuffer: 1 << 22,
    });
    const r = JSON.parse(stdout) as WorkerRun;
    if (r.errors > 0) throw new Error(`${target.tokenUrl} ${mode}: ${r.errors} refused, first: ${r.firstError}`);
    tokens = r.refreshTokens;
    if (i > 0) runs.push(r);
  }
  runs.sort((a, b) => a.tokensPerSecond - b.tokensPerSecond);
  const mid = runs[Math.floor(runs.length / 2)] as WorkerRun;
  return {
    tokensPerSecond: mid.tokensPerSecond,
    p50: mid.p50,
    p99: mid.p99,
    perVcpu: Math.round(mid.tokensPerSecond / o.vcpus),
    repetitions: o.reps,
  };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Kontor's token endpoint (its OP on PGlite, or PostgreSQL with DATABASE_URL) against a bare
 * oidc-provider with its in-memory adapter, in the same run: client credentials (a JWT access
 * token, ES256) and refresh (rotation; new access, ID and refresh token).
 */
export async function runTokens(opts: { quick: boolean; log: (m: string) => void }): Promise<TokenResult> {
  const loadAverageBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const vcpus = cpus().length;
  const connections = 10;
  const [seconds, reps] = opts.quick ? [2, 1] : [5, 3];
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_tokens_${randomUUID().replaceAll('-', '').slice(0, 10)}` : undefined;
  const config = loadConfig({
    KONTOR_DATA_DIR: 'memory://',
    KONTOR_LOG_LEVEL: 'warn',
    KONTOR_SECRET_KEY: randomBytes(32).toString('base64'),
    ...(url ? { DATABASE_URL: url, KONTOR_DB_SCHEMA: schema } : {}),
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const k = await createKontor({ ...config, dataDir: 'memory://', publicUrl: base });
  const clientId = 'bench-app';
  const secret = randomBytes(32).toString('base64url');
  const bare = await startBareOp({ clientId, clientSecret: secret, redirectUri: REDIRECT });
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  try {
    const boot = await bootstrapProvider(k.deps, {
      tenantName: 'Provider',
      slug: 'provider',
      loginName: 'admin',
      password: PASSWORD,
    });
    if (!boot) throw new Error('bootstrap failed');
    // The bootstrap password is one-time: the OP would send the person to change it first.
    await k.db.kysely
      .updateTable('users')
      .set({ must_change_password: false })
      .where('id', '=', boot.user.id)
      .execute();
    const now = new Date();
    await k.deps.store.transaction((r) =>
      r.apps.insert({
        id: clientId,
        tenantId: null,
        name: 'Benchmark app',
        kind: 'confidential',
        authMethod: 'client_secret_basic',
        secretHash: sha256(secret),
        jwks: null,
        redirectUris: [REDIRECT],
        postLogoutRedirectUris: [],
        backchannelLogoutUri: null,
        scopes: ['openid', 'profile', 'email', 'offline_access', 'kontor.tenant', 'kontor.permissions'],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        firstParty: true,
        enabled: true,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    app = await createHttpApp(k, { logger: false, mailIntervalMs: 0, oidcKeyCheckMs: 0 });
    await app.listen({ host: '127.0.0.1', port });
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'provider', username: 'admin', password: PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`bench sign-in failed: ${login.status}`);
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    opts.log(`tokens: ${connections} refresh chains at Kontor and at the bare oidc-provider …`);
    const kontorChains: string[] = [];
    const bareChains: string[] = [];
    for (let i = 0; i < connections; i++) {
      kontorChains.push(await codeFlow(`${base}/oidc`, clientId, secret, session));
      bareChains.push(await codeFlow(bare.issuer, clientId, secret, ''));
    }
    const kontor = { tokenUrl: `${base}/oidc/token`, authorization: basic(clientId, secret) };
    const peer = { tokenUrl: `${bare.issuer}/token`, authorization: basic(clientId, secret) };
    const m = { connections, seconds, reps, vcpus };
    opts.log('tokens: client credentials …');
    const kontorCc = await measure(kontor, 'client_credentials', m);
    const bareCc = await measure(peer, 'client_credentials', m);
    opts.log('tokens: refresh …');
    const kontorRefresh = await measure(kontor, 'refresh_token', { ...m, refreshTokens: kontorChains });
    const bareRefresh = await measure(peer, 'refresh_token', { ...m, refreshTokens: bareChains });
    const sig = (x: number) => Number(x.toPrecision(3));
    return {
      connections,
      seconds,
      vcpus,
      kontor: { clientCredentials: kontorCc, refresh: kontorRefresh },
      bareOidcProvider: { clientCredentials: bareCc, refresh: bareRefresh },
      ratios: {
        clientCredentials: sig(kontorCc.tokensPerSecond / bareCc.tokensPerSecond),
        refresh: sig(kontorRefresh.tokensPerSecond / bareRefresh.tokensPerSecond),
        clientCredentialsVsKeycloakPerVcpu: sig(kontorCc.perVcpu / KEYCLOAK_CC_PER_VCPU),
      },
      loadAverageBefore,
    };
  } finally {
    await app?.close();
    await bare.close();
    await k.close();
    if (url && schema) await dropSchema(url, schema);
  }
}

export function printTokens(t: TokenResult): void {
  const fmt = (n: number) => n.toLocaleString('en-US');
  console.log(
    `\nToken endpoint (own load-generator process, ${t.connections} connections, ${t.vcpus} vCPUs shared by server, database and client)`,
  );
  console.log('| grant | Kontor tokens/s · p50 · p99 ms | bare oidc-provider | Kontor ÷ bare | Kontor per vCPU |');
  console.log('|---|---|---|---:|---:|');
  const row = (name: string, a: TokenRate, b: TokenRate, ratio: number) =>
    console.log(
      `| ${name} | ${fmt(a.tokensPerSecond)} · ${a.p50} · ${a.p99} | ${fmt(b.tokensPerSecond)} · ${b.p50} · ${b.p99} | ${ratio} | ${fmt(a.perVcpu)} |`,
    );
  row(
    'client credentials',
    t.kontor.clientCredentials,
    t.bareOidcProvider.clientCredentials,
    t.ratios.clientCredentials,
  );
  row('refresh (rotated)', t.kontor.refresh, t.bareOidcProvider.refresh, t.ratios.refresh);
  console.log(
    `Keycloak publishes ${KEYCLOAK_CC_PER_VCPU} client-credentials grants/s per vCPU: Kontor ${t.ratios.clientCredentialsVsKeycloakPerVcpu} × that (load average before: ${t.loadAverageBefore.join(', ')})`,
  );
}

// `npx tsx bench/tokens.ts [--quick]`: this scenario alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const result = await runTokens({ quick, log: (m) => process.stderr.write(`${m}\n`) });
  printTokens(result);
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
}
