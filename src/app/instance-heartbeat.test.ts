import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import type { InstanceBeat, InstanceRegistry } from '../domain/system-ports.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';

const clock = { now: () => new Date('2026-12-07T12:00:00Z') };

// The heartbeat runs from a timer: a rejection there would be unhandled and end the process.
describe('instance heartbeat', () => {
  it('reports a database outage and resolves false, then beats again once the database is back', async () => {
    const down = new AppError('storage.unavailable');
    let up = false;
    const beats: InstanceBeat[] = [];
    const registry: InstanceRegistry = {
      beat: async (b) => {
        if (!up) throw down;
        beats.push(b);
      },
      remove: () => Promise.reject(down),
    };
    const errors: unknown[] = [];
    const hb = new InstanceHeartbeat({
      registry,
      clock,
      id: 'i-1',
      version: '1.2.3',
      ready: () => Promise.reject(new Error('probe failed')),
      onError: (_m, e) => errors.push(e),
    });
    await expect(hb.beat()).resolves.toBe(false);
    expect(errors).toEqual([down]);
    up = true;
    await expect(hb.beat()).resolves.toBe(true);
    expect(beats).toEqual([{ id: 'i-1', startedAt: clock.now(), version: '1.2.3', readiness: 'not_ready' }]);
    // The clean stop during an outage: the row stays for housekeeping, nothing rejects.
    await expect(hb.stop()).resolves.toBeUndefined();
    expect(errors).toEqual([down, down]);
    await expect(hb.beat()).resolves.toBe(false);
    expect(beats).toHaveLength(1);
  });
});
