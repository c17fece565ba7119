import type { Clock, Store } from '../domain/ports.js';
import {
  type AttemptResult,
  type ClaimedDelivery,
  eventId,
  nextAttempt,
  type WebhookSender,
  webhookEvent,
} from '../domain/webhooks.js';
import { recordEvent } from './context.js';
import { queueMail } from './mail-outbox.js';

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
    const lease = new Date(now.getTime() + (this.o.leaseSeconds ?? 60) * 1000);
    const items = await store.transaction((r) => r.webhooks.claim(now, this.o.batch ?? 50, lease));
    // Different subscriptions in parallel; the claim never hands out two of one subscription.
    await Promise.all(items.map((d) => this.deliver(d)));
    return items.length;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const result = await this.o.sender.send({
      url: d.url,
      id: eventId(d.event.tenantId, d.event.seq),
      body: JSON.stringify(webhookEvent(d.event)),
      secrets: d.secretsEnc.map((s) => this.o.open(s)),
    });
    if (!result.ok) this.o.onError(`webhook to ${d.url} failed: ${result.error}`, undefined);
    await this.record(d, result);
  }

  private async record(d: ClaimedDelivery, result: AttemptResult & { ok: boolean }): Promise<void> {
    const { store, clock } = this.o;
    const now = clock.now();
    if (result.ok) {
      await store.transaction((r) => r.webhooks.markDelivered(d.id, result, now));
      return;
    }
    const next = nextAttempt(d.firstAttemptAt, d.attempts, now, (this.o.random ?? Math.random)());
    if (next) {
      await store.transaction((r) => r.webhooks.markFailed(d.id, result, next));
      return;
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
            `Deliveries to ${given.url} have failed for a day and were given up; the subscription is marked failing. ` +
            `Last error: ${result.error ?? 'none'}. Fix the receiver, then redeliver from the delivery log.`,
          link: '',
        });
      }
    });
  }
}
