import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/** Per-request state that the storage layer consults through the hooks wired in compose-http. */
export interface RequestScope {
  /** The request's Idempotency-Key: its transactions are journaled, or replayed from the journal. */
  idempotency?: { scope: string; key: string; recorded: unknown[]; replay?: unknown[] };
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Runs every request, hooks and handler alike, inside its own scope. */
export function installRequestScope(app: FastifyInstance): void {
  app.addHook('onRequest', (_req, _reply, done) => requestScope.run({}, done));
}
