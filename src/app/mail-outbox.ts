import type { AuthRepos, AuthStore, MailMessage, MailSender } from '../domain/auth-ports.js';
import type { Repos } from '../domain/ports.js';

export const MAIL_TOPIC = 'mail';

/** Queues a mail inside the caller's transaction: it is sent only if that transaction commits. */
export const queueMail = (r: Pick<Repos, 'outbox'>, now: Date, m: MailMessage): Promise<void> =>
  r.outbox.enqueue(MAIL_TOPIC, m, now);

export interface MailWorkerOptions {
  store: AuthStore;
  sender: MailSender;
  clock: { now(): Date };
  /** Where a failed delivery is reported (it stays queued and is retried). */
  onError?: (message: string, e: unknown) => void;
  /** How long a claimed mail is held by the claiming worker before another may take it. */
  leaseSeconds?: number;
  batch?: number;
  /** Attempts before a mail is given up (default 12: about eight hours of backoff). */
  maxAttempts?: number;
  /**
   * Turns a claimed row into the mail to send, in a transaction of its own (verification links
   * mint their secret here); undefined drops the row. Without it a row is the mail itself.
   */
  prepare?: (r: AuthRepos, payload: unknown, now: Date) => Promise<MailMessage | undefined>;
}

const MAX_ATTEMPTS = 12;

/** Exponential backoff: 30 s, 1 min, 2 min … capped at one hour. */
export const backoffSeconds = (attempts: number): number => Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));

/**
 * Delivers queued mail: claims due rows (SKIP LOCKED and a lease, so instances never share one),
 * sends each, marks it sent or schedules the retry. `tick` is the whole unit of work, called by
 * the interval timer of the serving process and right after a change that queued a mail.
 */
export class MailWorker {
  private running: Promise<number> | undefined;
  private queued: Promise<number> | undefined;

  constructor(private readonly o: MailWorkerOptions) {}

  /**
   * One pass over due mail; the number delivered. A call while a pass runs gets the next pass
   * (one, shared by every such call), so mail queued after the running pass claimed is not missed.
   */
  tick(): Promise<number> {
    if (this.queued) return this.queued;
    const running = this.running;
    if (!running) return this.start();
    this.queued = running
      .catch(() => 0)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<number> {
    const run = this.pass().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async pass(): Promise<number> {
    const { store, sender, clock } = this.o;
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + (this.o.leaseSeconds ?? 300) * 1000);
    const items = await store.transaction((r) => r.outbox.claim(MAIL_TOPIC, now, this.o.batch ?? 20, leaseUntil));
    let sent = 0;
    for (const item of items) {
      try {
        const prepare = this.o.prepare;
        const mail = prepare
          ? await store.transaction((r) => prepare(r, item.payload, clock.now()))
          : (item.payload as MailMessage);
        if (mail) await sender.send(mail);
      } catch (e) {
        if (item.attempts >= (this.o.maxAttempts ?? MAX_ATTEMPTS)) {
          // A mail that no retry delivers would otherwise be retried every hour for ever.
          this.o.onError?.(`mail ${item.id} given up after ${item.attempts} attempts`, e);
          await store.transaction((r) => r.outbox.markGivenUp(item.id, String(e), clock.now()));
          continue;
        }
        this.o.onError?.('mail delivery failed; retried later', e);
        const next = new Date(clock.now().getTime() + backoffSeconds(item.attempts) * 1000);
        await store.transaction((r) => r.outbox.markFailed(item.id, String(e), next));
        continue;
      }
      await store.transaction((r) => r.outbox.markSent(item.id, clock.now()));
      sent++;
    }
    return sent;
  }

  /** Waits for a pass under way (on shutdown, before the database closes). */
  async idle(): Promise<void> {
    await (this.queued ?? this.running)?.catch(() => undefined);
  }

  /** Sends what is due now, never throwing: used right after a commit that queued mail. */
  async flush(): Promise<void> {
    await this.tick().catch((e) => this.o.onError?.('mail worker pass failed', e));
  }
}

/** The notice to a user whose password or address an administrator changed. */
export const changedBySomeoneElse = (to: string, what: 'password' | 'e-mail address'): MailMessage => ({
  to,
  subject: `Your Kontor ${what} was changed`,
  text: `An administrator changed the ${what} of your Kontor account. If you did not expect this, contact your administrator.`,
  link: '',
});
