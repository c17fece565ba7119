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
  close(): Promise<void>;
}

/**
 * Wires the decision engine into `deps`: the engine itself, and the store wrapped so that every
 * commit through this process invalidates the cache before the caller sees the result.
 */
export async function wireDecisions(
  db: Db,
  deps: AppDeps,
  config: Pick<Config, 'databaseUrl' | 'dbSchema'>,
): Promise<DecisionWiring> {
  const engine = new DecisionEngine(decisionSource(db.kysely), deps.catalogue, deps.clock);
  const stopListening = await listenForDecisionChanges(
    db,
    config.databaseUrl,
    () => engine.invalidate(),
    config.dbSchema,
  );
  const timer = setInterval(() => engine.invalidate(), VERIFY_EVERY_MS);
  timer.unref();
  deps.store = engine.tracking(deps.store);
  deps.decisions = engine;
  return {
    engine,
    async close() {
      clearInterval(timer);
      await stopListening();
    },
  };
}
