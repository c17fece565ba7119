import { backoffSeconds } from '../app/mail-outbox.js';
import { OIDC_LOGOUT_TOPIC, type OidcLogoutTarget } from '../domain/oidc.js';
import type { Clock, Store } from '../domain/ports.js';
import type { OidcService } from './oidc-service.js';

/** A logout older than this means nothing to the app any more (its session has long ended). */
const MAX_ATTEMPTS = 6;
const LEASE_SECONDS = 60;
const BATCH = 20;

/**
 * Sends the back-channel logouts queued when grants ended (a lock, an ended share, a removed
 * role): oidc-provider makes and sends the logout token, through the outbound guard (its
 * `fetch`). Every instance may run a pass; the outbox lease gives each item to one of them.
 */
export class BackchannelLogoutWorker {
  private running: Promise<number> | undefined;

  constructor(
    private readonly o: {
      store: Store;
      clock: Clock;
      service: OidcService;
      onError(message: string, e: unknown): void;
    },
  ) {}

  /**
   * One pass over due logouts; concurrent calls share it. Returns how many were handled. Never
   * throws: it runs from a timer, and a database outage must only delay the logouts (they stay
   * queued), not end the process with an unhandled rejection.
   */
  flush(): Promise<number> {
    this.running ??= this.pass()
      .catch((e) => {
        this.o.onError('back-channel logout pass failed', e);
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<number> {
    const { store, clock } = this.o;
    const now = clock.now();
    // Claims and marks write: they go through transactions, never a read that a replica may serve.
    const items = await store.transaction((r) =>
      r.outbox.claim(OIDC_LOGOUT_TOPIC, now, BATCH, new Date(now.getTime() + LEASE_SECONDS * 1000)),
    );
    for (const item of items) {
      const t = item.payload as OidcLogoutTarget;
      try {
        const client = await this.o.service.provider.Client.find(t.clientId);
        if (client?.backchannelLogoutUri) await client.backchannelLogout(t.accountId, t.sid);
        await store.transaction((r) => r.outbox.markSent(item.id, clock.now()));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.o.onError(`back-channel logout to app ${t.clientId} failed`, e);
        const at = clock.now();
        await store.transaction((r) =>
          item.attempts >= MAX_ATTEMPTS
            ? r.outbox.markGivenUp(item.id, message, at)
            : r.outbox.markFailed(item.id, message, new Date(at.getTime() + backoffSeconds(item.attempts) * 1000)),
        );
      }
    }
    return items.length;
  }
}
