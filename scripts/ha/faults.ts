import { setTimeout as sleep } from 'node:timers/promises';
import { startNode, waitHealthy } from '../../src/cluster/cluster.js';
import { type ClusterConfig, type NodeName, paths } from '../../src/cluster/cluster-config.js';
import {
  currentLeader,
  otherNodes,
  patronictl,
  restStatus,
  syncStandby,
  waitFor,
} from '../../src/cluster/patroni-rest.js';
import { childrenMatching, killPid, postmasterPid, readPid } from '../../src/cluster/processes.js';

export type FaultName = 'leader-kill' | 'switchover' | 'postmaster-kill' | 'lagging-standby';
export const FAULTS: FaultName[] = ['leader-kill', 'switchover', 'postmaster-kill', 'lagging-standby'];

export interface FaultReport {
  /** Leader before and after. */
  from: NodeName;
  to: NodeName;
  /** Seconds from the fault until the new leader answered GET /primary (undefined: no election). */
  promotedAfter?: number;
  /** Seconds from the fault until the write endpoint had a primary with a sync standby again. */
  recoveredAfter: number;
  notes: string[];
}

function killNode(c: ClusterConfig, node: NodeName, notes: string[]): void {
  const p = paths(c);
  const patroni = readPid(p.pidFile(`patroni-${node}`));
  const postmaster = postmasterPid(p.pgData(node));
  if (patroni) killPid(patroni, 'SIGKILL');
  if (postmaster) killPid(postmaster, 'SIGKILL');
  notes.push(`kill -9 ${node}: patroni ${patroni ?? '-'}, postmaster ${postmaster ?? '-'}`);
}

/** After a node loss: wait for another node to be promoted, then bring the lost one back (pg_rewind). */
async function failoverAndRejoin(c: ClusterConfig, lost: NodeName, notes: string[], t0: number): Promise<number> {
  const survivor = await waitFor(
    'another node to be promoted',
    async () => {
      for (const n of otherNodes(c, lost)) if ((await restStatus(c, n, '/primary')) === 200) return n;
      return undefined;
    },
    90_000,
  );
  const promoted = (Date.now() - t0) / 1000;
  notes.push(`${survivor} promoted after ${promoted.toFixed(1)} s; ${lost} restarted to rejoin (pg_rewind)`);
  await startNode(c, lost);
  return promoted;
}

export async function injectFault(c: ClusterConfig, fault: FaultName): Promise<FaultReport> {
  const from = await waitFor('a leader', () => currentLeader(c), 30_000);
  // In synchronous mode only the synchronous standby may be promoted or switched to.
  const standby = await waitFor('a synchronous standby', () => syncStandby(c, from), 30_000);
  const notes: string[] = [];
  const t0 = Date.now();
  let promotedAfter: number | undefined;
  switch (fault) {
    case 'leader-kill':
      killNode(c, from, notes);
      promotedAfter = await failoverAndRejoin(c, from, notes, t0);
      break;
    case 'switchover':
      await patronictl(c, ['switchover', '--leader', from, '--candidate', standby, '--force']);
      promotedAfter = (Date.now() - t0) / 1000;
      notes.push(`patronictl switchover returned after ${promotedAfter.toFixed(1)} s`);
      break;
    case 'postmaster-kill': {
      const pm = postmasterPid(paths(c).pgData(from));
      if (!pm) throw new Error(`No postmaster running for ${from}`);
      killPid(pm, 'SIGKILL');
      notes.push(`kill -9 postmaster ${pm} of ${from}; Patroni keeps the leader lock and restarts it`);
      break;
    }
    case 'lagging-standby': {
      const pm = postmasterPid(paths(c).pgData(standby));
      const receivers = pm ? childrenMatching(pm, 'walreceiver') : [];
      if (receivers.length === 0) throw new Error(`No walreceiver on ${standby}`);
      for (const r of receivers) killPid(r, 'SIGSTOP');
      notes.push(`walreceiver ${receivers.join(',')} of ${standby} paused 3 s before the leader dies`);
      try {
        await sleep(3000);
        killNode(c, from, notes);
        await sleep(500);
      } finally {
        for (const r of receivers) {
          try {
            killPid(r, 'SIGCONT');
          } catch {}
        }
      }
      promotedAfter = await failoverAndRejoin(c, from, notes, t0);
      break;
    }
  }
  const to = await waitHealthy(c, 120_000);
  return {
    from,
    to,
    ...(promotedAfter !== undefined ? { promotedAfter } : {}),
    recoveredAfter: (Date.now() - t0) / 1000,
    notes,
  };
}
