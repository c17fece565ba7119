import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import type { Store } from '../domain/ports.js';
import { WebhookWorker } from './webhook-worker.js';

// The worker runs from a timer: a rejection there would be unhandled and end the process.
describe('webhook worker', () => {
  it('reports a database outage and resolves, leaving the queued deliveries for a later pass', async () => {
    const down = new AppError('storage.unavailable');
    const store = {
      transaction: () => Promise.reject(down),
      read: () => Promise.reject(down),
    } as unknown as Store;
    const errors: unknown[] = [];
    let sent = 0;
    const worker = new WebhookWorker({
      store,
      clock: { now: () => new Date('2026-12-07T12:00:00Z') },
      sender: {
        send: async () => {
          sent++;
          return { ok: true, status: 200, latencyMs: 1, error: null };
        },
      },
      open: (s) => s,
      onError: (_m, e) => errors.push(e),
    });
    await expect(worker.flush()).resolves.toBe(0);
    expect(errors).toEqual([down]);
    expect(sent).toBe(0);
    await worker.idle();
  });
});
