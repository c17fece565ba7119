import type { Clock, Store } from '../domain/ports.js';
import {
  type AttemptResult,
  type ClaimedDelivery,
  eventId,
  loggedUrl,
  nextAttempt,
  type WebhookSender,
  webhookEvent,
} from '../domain/webhooks.js';
import { recordEvent } from './context.js';
import { queueMail } from './mail-outbox.js';

/** Deliveries a lane sends before it returns to a claim pass (fairness to the next pass). */
const LANE_MAX = 500;

export interface WebhookWorkerOptions {
  store: Store;
  clock: Clock;
  sender: WebhookSender;
  /** Opens a sealed secret (the secret box of KONTOR_SECRET_KEY). */
  open(sealed: string): string;
  onError(message: string, e: unknown): void;
  /** How long a claimed delivery is held; longer than the sender's total timeout. */
  leaseSeconds?: number;
  batch?: number;
  /** Jitter source in [0, 1); tests may fix it. */
  random?: () => number;
}

/**
 * Delivers queued webhook events. Every instance may run passes; the claim (SKIP LOCKED, a
 * lease, one delivery in flight per subscription) gives each delivery to one of them in order,
 * and a process that dies mid-delivery leaves it to be claimed again when the lease ends.
 */
export class WebhookWorker {
  private running: Promise<number> | undefined;

  constructor(private readonly o: WebhookWorkerOptions) {}

  /**
   * Passes until nothing is due; concurrent calls share them. Returns how many deliveries were
   * attempted. Never throws: it runs from a timer, and a database outage must only delay the
   * deliveries (they stay queued), never end the process with an unhandled rejection.
   */
  flush(): Promise<number> {
    this.running ??= this.drain()
      .catch((e) => {
        this.o.onError('webhook delivery pass failed', e);
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

  private async drain(): Promise<number> {
    let total = 0;
    // A subscription's next delivery becomes due when the previous one is done: keep passing
    // while passes find work (bounded, so a flood never starves the timer's other work).
    for (let i = 0; i < 50; i++) {
      const n = await this.pass();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async pass(): Promise<number> {
    const { store, clock } = this.o;
    const now = clock.now();
    const items = await store.transaction((r) => r.webhooks.claim(now, this.o.batch ?? 50, this.leaseFrom(now)));
    // Different subscriptions in parallel; the claim never hands out two of one subscription.
    await Promise.all(items.map((d) => this.deliver(d)));
    return items.length;
  }

  /** A subscription's lane: this delivery, then each next one that is due, one at a time. */
  private async deliver(first: ClaimedDelivery): Promise<void> {
    for (let d: ClaimedDelivery | undefined = first, n = 0; d && n < LANE_MAX; n++) {
      const current: ClaimedDelivery = d;
      const result = await this.o.sender.send({
        url: current.url,
        id: eventId(current.event.tenantId, current.event.seq),
        body: JSON.stringify(webhookEvent(current.event, current.subscriptionTenantId)),
        secrets: current.secretsEnc.map((s) => this.o.open(s)),
      });
      if (!result.ok) this.o.onError(`webhook to ${loggedUrl(current.url)} failed: ${result.error}`, undefined);
      d = await this.record(current, result, n + 1 < LANE_MAX);
    }
  }

  /** Records an attempt; after a success, returns the subscription's next delivery if claimed. */
  private async record(
    d: ClaimedDelivery,
    result: AttemptResult & { ok: boolean },
    claimNext: boolean,
  ): Promise<ClaimedDelivery | undefined> {
    const { store, clock } = this.o;
    const now = clock.now();
    if (result.ok) {
      const lease = claimNext ? this.leaseFrom(now) : undefined;
      return store.transaction((r) => r.webhooks.markDelivered(d.id, result, now, lease));
    }
    const next = nextAttempt(d.firstAttemptAt, d.attempts, now, (this.o.random ?? Math.random)());
    if (next) {
      await store.transaction((r) => r.webhooks.markFailed(d.id, result, next));
      return undefined;
    }
    await store.transaction(async (r) => {
      const given = await r.webhooks.markGivenUp(d.id, result);
      if (!given.becameFailing) return;
      // The administrators learn of it once, when the subscription turns failing, not per event.
      await recordEvent(r, { actor: null, meta: null }, now, {
        tenantId: given.tenantId,
        action: 'webhook.failing',
        targetType: 'webhook',
        targetId: d.subscriptionId,
        details: { lastError: result.error, lastStatus: result.status },
      });
      for (const to of await r.webhooks.managerEmails(given.tenantId)) {
        await queueMail(r, now, {
          to,
          subject: 'A Kontor webhook is failing',
          text:
            `Deliveries to ${loggedUrl(given.url)} have failed for a day and were given up; the subscription is marked failing. ` +
            `Last error: ${result.error ?? 'none'}. Fix the receiver, then redeliver from the delivery log.`,
          link: '',
        });
      }
    });
    return undefined;
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + (this.o.leaseSeconds ?? 60) * 1000);
  }
}
