import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import type { Store } from '../domain/ports.js';
import { BackchannelLogoutWorker } from './logout-worker.js';
import type { OidcService } from './oidc-service.js';

// The worker runs from a timer: a rejection there would be unhandled and end the process.
describe('back-channel logout worker', () => {
  it('reports a database outage and resolves, leaving the queued logouts for a later pass', async () => {
    const down = new AppError('storage.unavailable');
    const store = {
      transaction: () => Promise.reject(down),
      read: () => Promise.reject(down),
    } as unknown as Store;
    const errors: unknown[] = [];
    const worker = new BackchannelLogoutWorker({
      store,
      clock: { now: () => new Date('2026-12-07T12:00:00Z') },
      service: {} as OidcService,
      onError: (_m, e) => errors.push(e),
    });
    await expect(worker.flush()).resolves.toBe(0);
    expect(errors).toEqual([down]);
    await worker.idle();
  });
});
