import type { Kontor } from './compose.js';
import { effectiveConfig } from './config/effective-config.js';
import type { StatusSource, SystemServices } from './domain/system-ports.js';
import { nodeKeyMaker } from './oidc/keys.js';
import { signingOverlapSeconds } from './oidc/lifetimes.js';
import { aesGcmSecretBox } from './sso/secret-box.js';
import { answersWithin, primaryWritable } from './storage/db.js';
import { KNOWN_MIGRATIONS } from './storage/migrate.js';
import { sha256 } from './storage/sha256.js';
import { readStatusCounts } from './storage/system-status.js';
import { systemStore } from './storage/system-store.js';

export interface StatusWiring {
  /** This server's heartbeat id and rhythm. */
  self: { id: string; heartbeatSeconds: number };
  sealingKey: 'config' | 'data-dir' | 'ephemeral';
  /** The servers' secret key, which seals the signing keys (rotation through the API needs it). */
  secretKey?: Buffer;
  /** A reachable database whose status queries failed: the answer says unknown, the log why. */
  onError?(message: string, e: unknown): void;
}

/** The operation roles' system tasks on a Kontor's database (issue 19 #4). */
export function systemServices(
  kontor: Pick<Kontor, 'db' | 'config' | 'readReplica'>,
  wiring: StatusWiring = {
    self: { id: 'none', heartbeatSeconds: kontor.config.instanceHeartbeatSeconds },
    sealingKey: 'ephemeral',
  },
): SystemServices {
  const { config } = kontor;
  const view = effectiveConfig(config);
  return {
    store: systemStore(kontor.db.kysely, {
      sessionIdleSeconds: config.sessionIdleSeconds,
      throttleWindowSeconds: config.login.windowSeconds,
    }),
    digest: sha256,
    effectiveConfig: () => view,
    status: statusSource(kontor, wiring),
    ...(wiring.secretKey
      ? {
          signingKeys: {
            keys: nodeKeyMaker,
            box: aesGcmSecretBox(wiring.secretKey),
            overlapSeconds: signingOverlapSeconds(config.oidc.accessTokenSeconds),
          },
        }
      : {}),
  };
}

/**
 * The status facts: probes with a short timeout first, so an unreachable database answers
 * `reachable: false` within about a second instead of the storage retry budget.
 */
function statusSource(kontor: Pick<Kontor, 'db' | 'readReplica'>, wiring: StatusWiring): StatusSource {
  const { db, readReplica } = kontor;
  return {
    async read() {
      const reachable = await answersWithin(db.kysely, 1000);
      const writable = reachable && (await primaryWritable(db));
      const counts = reachable
        ? await readStatusCounts(db.kysely, 'kontor_migrations').catch((e: unknown) => {
            wiring.onError?.('reading the system status failed', e);
            return null;
          })
        : null;
      const replica = readReplica
        ? {
            reachable: await readReplica.probe(),
            reads: readReplica.stats().replica,
            fallbacks: readReplica.stats().fallback,
          }
        : null;
      return {
        self: wiring.self,
        database: { dialect: db.driver, reachable, writable },
        pool: db.poolStats ? db.poolStats() : null,
        replica,
        knownMigrations: KNOWN_MIGRATIONS,
        counts,
        sealingKey: wiring.sealingKey,
      };
    },
  };
}
