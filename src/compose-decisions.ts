import type { AppDeps } from './app/context.js';
import { DecisionEngine } from './app/decisions.js';
import type { Config } from './config/load-config.js';
import type { Db } from './storage/db.js';
import { listenForDecisionChanges } from './storage/decision-listener.js';
import { decisionSource } from './storage/repositories/decision-source.js';

/**
 * Safety net under NOTIFY: the engine re-reads the version at least this often, so a lost
 * notification (listener reconnecting, a proxy dropping it) delays a change by at most this.
 */
const VERIFY_EVERY_MS = 500;

export interface DecisionWiring {
  engine: DecisionEngine;
  /**
   * Registers `drop` to run whenever the database connection behind NOTIFY was lost or came
   * back: invalidations may have been missed meanwhile, so every in-process cache of database
   * state (decisions are registered already; a session cache would be too) must be emptied.
   * Returns a function that unregisters it.
   */
  onResync(drop: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Wires the decision engine into `deps`: the engine itself, and the store wrapped so that every
 * commit through this process invalidates the cache before the caller sees the result.
 */
export async function wireDecisions(
  db: Db,
  deps: AppDeps,
  config: Pick<Config, 'databaseUrl' | 'dbSchema' | 'cacheFreshness'>,
): Promise<DecisionWiring> {
  // PGlite: one process per data directory, and its notifications arrive with the commit.
  const engine = new DecisionEngine(decisionSource(db.kysely), deps.catalogue, deps.clock, {
    trustNotifications: db.driver === 'pglite' || config.cacheFreshness === 'notify',
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const drops = new Set<() => void>([() => engine.forget()]);
  const stopListening = await listenForDecisionChanges(
    db,
    config.databaseUrl,
    () => engine.invalidate(),
    config.dbSchema,
    () => {
      for (const drop of drops) drop();
    },
  );
  const timer = setInterval(() => engine.invalidate(), VERIFY_EVERY_MS);
  timer.unref();
  deps.store = engine.tracking(deps.store);
  deps.decisions = engine;
  return {
    engine,
    onResync(drop) {
      drops.add(drop);
      return () => drops.delete(drop);
    },
    async close() {
      clearInterval(timer);
      await stopListening();
    },
  };
}
