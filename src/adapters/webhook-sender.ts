import { Webhook } from 'standardwebhooks';
import type { WebhookSender } from '../domain/webhooks.js';
import { refusedIn } from '../sso/outbound-guard.js';

/** A receiver's answer is read up to this many bytes: enough for an error message, no more. */
export const MAX_RESPONSE_BYTES = 4096;

export interface WebhookSenderOptions {
  /** The SSRF-guarded fetch (outboundGuard): refuses private targets and follows no redirect. */
  fetch: typeof fetch;
  /** The whole attempt, connect to last byte read. */
  totalTimeoutMs: number;
}

/** Reads at most `max` bytes of a body and drops the rest unread (the connection is closed). */
async function readCapped(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * Signs per Standard Webhooks with its reference library (one `v1,` signature per secret,
 * space-separated, so a receiver that knows either secret verifies during a rotation) and POSTs.
 * 2xx is delivered; anything else, a redirect included (never followed), is a failure.
 */
export function webhookSender(o: WebhookSenderOptions): WebhookSender {
  return {
    async send({ url, id, body, secrets }) {
      const timestamp = new Date();
      const signature = secrets.map((s) => new Webhook(s).sign(id, timestamp, body)).join(' ');
      const started = performance.now();
      const signal = AbortSignal.timeout(o.totalTimeoutMs);
      try {
        const res = await o.fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Kontor-Webhooks/1',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
          signal,
        });
        const text = await readCapped(res, MAX_RESPONSE_BYTES);
        const latencyMs = Math.round(performance.now() - started);
        const ok = res.status >= 200 && res.status < 300;
        return {
          ok,
          status: res.status,
          latencyMs,
          error: ok
            ? null
            : `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}: ${text.slice(0, 200)}`,
        };
      } catch (e) {
        const latencyMs = Math.round(performance.now() - started);
        const refused = refusedIn(e);
        const error = refused
          ? refused.message
          : signal.aborted
            ? `timed out after ${o.totalTimeoutMs} ms`
            : e instanceof Error
              ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`
              : String(e);
        return { ok: false, status: null, latencyMs, error };
      }
    },
  };
}
