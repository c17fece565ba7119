import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUnavailable, type FaultKit, faultKit, faultTestsEnabled, sleep, v1 } from './fault-kit.js';

let f: FaultKit;

interface Answer {
  kind: string;
  status: number;
  ms: number;
  login?: string;
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

describe.skipIf(!faultTestsEnabled())('repeated database outages under load', () => {
  beforeAll(async () => {
    // A sign-in cut off by an outage keeps the throttle slots it took (the window frees them):
    // with the default limit of 5, the admin could not sign in again for 15 minutes.
    f = await faultKit(
      {},
      { login: { maxFailuresPerAccount: 1000, maxFailuresPerAddress: 100_000, windowSeconds: 900 } },
    );
  }, 60_000);
  afterAll(async () => f?.close());

  it('answers only 2xx or 503 through five outages, recovers each time by itself and keeps every acknowledged write', async () => {
    const answers: Answer[] = [];
    let seq = 0;
    let running = true;
    const send = async (kind: string, go: () => Promise<LightMyRequestResponse>, login?: string) => {
      const t0 = performance.now();
      const res = await go();
      answers.push({ kind, status: res.statusCode, ms: performance.now() - t0, ...(login ? { login } : {}) });
      if (res.statusCode >= 300) expectUnavailable(res);
    };
    const worker = async () => {
      while (running) {
        const login = `cycle-${++seq}`;
        await send(
          'write',
          () => f.admin.call('POST', v1(`/tenants/${f.reseller.id}/users`), { loginName: login }),
          login,
        );
        await send('me', f.requests.me);
        await send('check', f.requests.check);
        if (seq % 5 === 0) await send('signIn', f.requests.signIn);
        await sleep(20);
      }
    };
    const workers = [worker(), worker(), worker()];
    const rows: string[] = [];
    try {
      for (const mode of ['fast', 'immediate', 'fast', 'immediate', 'restart'] as const) {
        await sleep(1500);
        const before = answers.length;
        const t0 = performance.now();
        if (mode === 'restart') {
          await f.db.stop('fast');
          await f.db.start();
        } else {
          await f.db.stop(mode);
          await sleep(2500);
          await f.db.start();
        }
        const up = performance.now();
        let recovered = Number.NaN;
        while (performance.now() - up < 15_000) {
          const res = await f.requests.me();
          if (res.statusCode === 200) {
            recovered = performance.now() - up;
            break;
          }
          await sleep(50);
        }
        expect(recovered).toBeLessThan(15_000);
        const window = answers.slice(before);
        const refused = window.filter((a) => a.status === 503);
        rows.push(
          `| ${mode} | ${Math.round(up - t0)} | ${window.length} | ${window.filter((a) => a.status < 300).length} | ${refused.length} | ${Math.round(
            percentile(
              refused.map((a) => a.ms),
              50,
            ),
          )} / ${Math.round(
            percentile(
              refused.map((a) => a.ms),
              99,
            ),
          )} | ${Math.round(recovered)} |`,
        );
      }
      await sleep(1000);
    } finally {
      running = false;
      await Promise.all(workers);
    }
    console.info(
      [
        '| stop | database away (ms) | requests | 2xx | 503 | 503 answered in p50 / p99 (ms) | recovered after start (ms) |',
        '|---|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
    expect(answers.filter((a) => a.status >= 300 && a.status !== 503)).toEqual([]);
    // Every acknowledged creation is there, exactly once.
    const acked = answers.filter((a) => a.kind === 'write' && a.status === 201).map((a) => a.login as string);
    expect(acked.length).toBeGreaterThan(0);
    const stored = await f.db.query<{ login_name: string }>(
      `SELECT login_name FROM ${f.schema}.users WHERE tenant_id = $1 AND login_name LIKE 'cycle-%'`,
      [f.reseller.id],
    );
    const names = new Set(stored.map((r) => r.login_name));
    expect(acked.filter((l) => !names.has(l))).toEqual([]);
    expect(stored.length).toBe(names.size);
  });
});

describe.skipIf(faultTestsEnabled())('repeated database outages under load (skipped)', () => {
  it.skip('need PostgreSQL (DATABASE_URL) and initdb for a private cluster', () => {});
});
