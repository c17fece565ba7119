// The token endpoint's load generator, in its own process (so the client does not share the
// server's event loop). autocannon replays fixed bodies; a refresh token is spent by its use
// (rotation), so each connection here is a chain that sends the token the last answer gave.
// Input: one JSON argument {url, authorization, mode: 'client_credentials' | 'refresh_token',
// refreshTokens?: string[], connections, seconds}. Output: JSON on stdout.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const o = JSON.parse(process.argv[2]);
const url = new URL(o.url);
const pool = new Pool(url.origin, { connections: o.connections, pipelining: 1 });
const headers = { authorization: o.authorization, 'content-type': 'application/x-www-form-urlencoded' };
const latencies = [];
let errors = 0;
let firstError;
const until = performance.now() + o.seconds * 1000;
/** Where each chain stands: the next round goes on from here. */
const current = [...(o.refreshTokens ?? [])];

async function chain(i) {
  let refreshToken = o.refreshTokens?.[i];
  while (performance.now() < until) {
    const body =
      o.mode === 'refresh_token'
        ? new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString()
        : 'grant_type=client_credentials';
    const t0 = performance.now();
    const res = await pool.request({ path: url.pathname, method: 'POST', headers, body });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) {
      errors++;
      firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
      // A chain whose token was refused cannot go on.
      if (o.mode === 'refresh_token') return;
      continue;
    }
    latencies.push(ms);
    if (o.mode === 'refresh_token') {
      refreshToken = JSON.parse(text).refresh_token;
      current[i] = refreshToken;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: o.connections }, (_, i) => chain(i)));
const seconds = (performance.now() - started) / 1000;
await pool.close();
latencies.sort((a, b) => a - b);
const at = (q) =>
  Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
process.stdout.write(
  JSON.stringify({
    tokensPerSecond: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p99: at(0.99),
    tokens: latencies.length,
    errors,
    firstError,
    ...(o.mode === 'refresh_token' ? { refreshTokens: current } : {}),
  }),
);
