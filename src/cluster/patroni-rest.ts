import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type ClusterConfig, type NodeName, paths } from './cluster-config.js';

const run = promisify(execFile);

/** Status of `GET <path>` on a node's Patroni REST API; 0 when it does not answer. */
export async function restStatus(c: ClusterConfig, node: NodeName, path: string, timeoutMs = 1000): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${c.ports.rest[node]}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export interface NodeStatus {
  node: NodeName;
  role: string;
  state: string;
  timeline?: number;
}

/** Patroni's own view of a node (`GET /patroni`). */
export async function nodeStatus(c: ClusterConfig, node: NodeName): Promise<NodeStatus> {
  try {
    const res = await fetch(`http://127.0.0.1:${c.ports.rest[node]}/patroni`, { signal: AbortSignal.timeout(1000) });
    const j = (await res.json()) as { role?: string; state?: string; timeline?: number };
    return { node, role: j.role ?? '?', state: j.state ?? '?', ...(j.timeline ? { timeline: j.timeline } : {}) };
  } catch {
    return { node, role: 'down', state: 'no REST answer' };
  }
}

/** The node whose `GET /primary` answers 200 (what HAProxy's write endpoint routes to). */
export async function currentLeader(c: ClusterConfig): Promise<NodeName | undefined> {
  for (const n of c.nodeNames) if ((await restStatus(c, n, '/primary')) === 200) return n;
  return undefined;
}

/** The node answering `GET /sync` 200 other than `leader` (the synchronous standby), if any. */
export async function syncStandby(c: ClusterConfig, leader: NodeName): Promise<NodeName | undefined> {
  for (const n of c.nodeNames) if (n !== leader && (await restStatus(c, n, '/sync')) === 200) return n;
  return undefined;
}

export const otherNodes = (c: ClusterConfig, n: NodeName): NodeName[] => c.nodeNames.filter((x) => x !== n);

/** Polls `check` every `everyMs` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs patronictl as postgres with node pg1's configuration (any node's would do). */
export async function patronictl(c: ClusterConfig, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', [
    '-u',
    'postgres',
    '--',
    '/usr/bin/patronictl',
    '-c',
    paths(c).patroniYml('pg1'),
    ...args,
  ]);
  return stdout;
}
