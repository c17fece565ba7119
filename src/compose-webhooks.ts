import { randomBytes } from 'node:crypto';
import { webhookSender } from './adapters/webhook-sender.js';
import type { AppDeps } from './app/context.js';
import { WebhookWorker } from './app/webhook-worker.js';
import type { Config } from './config/load-config.js';
import type { WebhookServices } from './domain/webhooks.js';
import { type OutboundPolicy, outboundGuard } from './sso/outbound-guard.js';
import { aesGcmSecretBox } from './sso/secret-box.js';

export interface WebhookWiring {
  services: WebhookServices;
  worker: WebhookWorker;
  /** Stops the timer and waits for a pass under way (on server close, before the database closes). */
  stop(): Promise<void>;
}

export interface WebhookWiringOptions {
  /** Overrides KONTOR_WEBHOOKS_POLL_MS; 0 runs no timer (tests call `worker.flush`). */
  pollMs?: number;
  /** Overrides the guard's policy (tests of the guard's decisions). */
  outbound?: OutboundPolicy;
  totalTimeoutMs?: number;
  onError(message: string, e: unknown): void;
}

/**
 * The webhook worker of a server: its own outbound guard (tenants' URLs get loopback only by
 * KONTOR_WEBHOOKS_ALLOW_LOOPBACK, and none of the SSO allow-list of internal networks), secrets
 * sealed with the same key as the other sealed secrets, and a poll timer.
 */
export function wireWebhooks(config: Config, deps: AppDeps, secretKey: Buffer, o: WebhookWiringOptions): WebhookWiring {
  const box = aesGcmSecretBox(secretKey);
  const policy = o.outbound ?? { allowLoopback: config.webhooks.allowLoopback };
  const guard = outboundGuard(policy, { connectTimeoutMs: 5000 });
  const worker = new WebhookWorker({
    store: deps.store,
    clock: deps.clock,
    sender: webhookSender({ fetch: guard.fetch, totalTimeoutMs: o.totalTimeoutMs ?? 15_000 }),
    open: box.open,
    onError: o.onError,
  });
  const everyMs = o.pollMs ?? config.webhooks.pollMs;
  // flush never rejects, so the timer cannot raise an unhandled rejection (see WebhookWorker).
  const timer = everyMs > 0 ? setInterval(() => void worker.flush(), everyMs) : undefined;
  timer?.unref();
  const services: WebhookServices = {
    seal: box.seal,
    newSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
    allowLoopback: policy.allowLoopback === true,
    flush: () => worker.flush(),
  };
  return {
    services,
    worker,
    async stop() {
      clearInterval(timer);
      await worker.idle();
      await guard.close();
    },
  };
}
