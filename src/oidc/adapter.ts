import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock, Store } from '../domain/ports.js';
import { clientMetadata } from './client-metadata.js';

/**
 * oidc-provider's storage adapter over Kontor's database: one instance per model. Records live
 * in `oidc_payloads` (any instance finds what another issued); clients are the registered apps.
 * Every call is one statement through the unit of work, so a transient fault is retried like
 * any other read and a SQL error leaves as an AppError.
 */
/** PostgreSQL text holds no NUL, and nothing the OP issues is long: such a value finds nothing. */
const findable = (v: string): boolean =>
  typeof v === 'string' && v.length > 0 && v.length <= 1024 && !v.includes('\u0000');

export function oidcAdapter(store: Store, clock: Clock): new (model: string) => Adapter {
  return class KontorOidcAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') return; // apps are registered through Kontor, never by the OP
      const now = clock.now();
      const expiresAt = expiresIn > 0 ? new Date(now.getTime() + expiresIn * 1000) : null;
      await store.read((r) => r.oidc.upsert(this.model, id, payload, expiresAt));
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (!findable(id)) return undefined;
      if (this.model === 'Client') {
        const app = await store.read((r) => r.apps.findById(id));
        return app && clientMetadata(app);
      }
      return store.read((r) => r.oidc.find(this.model, id, clock.now()));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (!findable(userCode)) return undefined;
      return store.read((r) => r.oidc.findByUserCode(this.model, userCode, clock.now()));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (!findable(uid)) return undefined;
      return store.read((r) => r.oidc.findByUid(this.model, uid, clock.now()));
    }

    async consume(id: string): Promise<void> {
      await store.read((r) => r.oidc.consume(this.model, id, clock.now()));
    }

    async destroy(id: string): Promise<void> {
      await store.read((r) => r.oidc.destroy(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.read((r) => r.oidc.revokeByGrantId(this.model, grantId));
    }
  };
}
