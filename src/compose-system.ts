import type { Kontor } from './compose.js';
import { effectiveConfig } from './config/effective-config.js';
import type { SystemServices } from './domain/system-ports.js';
import { sha256 } from './storage/sha256.js';
import { systemStore } from './storage/system-store.js';

/** The operation roles' system tasks on a Kontor's database (issue 19 #4). */
export function systemServices(kontor: Pick<Kontor, 'db' | 'config'>): SystemServices {
  const { config } = kontor;
  const view = effectiveConfig(config);
  return {
    store: systemStore(kontor.db.kysely, {
      sessionIdleSeconds: config.sessionIdleSeconds,
      throttleWindowSeconds: config.login.windowSeconds,
    }),
    digest: sha256,
    effectiveConfig: () => view,
  };
}
