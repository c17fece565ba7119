import type { AuditEvent } from './audit.js';
import type { FieldError } from './errors.js';

/**
 * Signed webhooks and the change feed (issue 17): the activity log, told to the vendor's systems.
 * A subscription wants its tenant's events or its whole subtree's; every event it wants becomes a
 * delivery in the event's own transaction (the outbox), which a worker signs and POSTs.
 */
export type WebhookScope = 'tenant' | 'subtree';
export type WebhookState = 'active' | 'failing' | 'disabled';
export type DeliveryStatus = 'pending' | 'delivered' | 'failing' | 'given_up';

/** The event a "send a test event" produces; delivered only to the subscription it names. */
export const WEBHOOK_TEST_ACTION = 'webhook.test';

export interface WebhookSubscription {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  /** null: every event. */
  eventTypes: string[] | null;
  scope: WebhookScope;
  state: WebhookState;
  /** While set and in the future, the previous secret signs too (rotation overlap). */
  previousValidUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhookSubscription {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  eventTypes: string[] | null;
  scope: WebhookScope;
  /** Sealed with the secret box; the plain secret is shown once and never stored. */
  secretEnc: string;
  now: Date;
}

export interface WebhookPatch {
  url?: string;
  description?: string;
  eventTypes?: string[] | null;
  scope?: WebhookScope;
  /** An administrator may disable or re-enable; `failing` is the worker's to set. */
  state?: 'active' | 'disabled';
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  tenantId: string;
  eventSeq: number;
  type: string;
  /** The body sent (it never holds secrets; the signature headers are not kept). */
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery claimed by a worker: what it needs to sign and send it. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  subscriptionTenantId: string;
  url: string;
  attempts: number;
  firstAttemptAt: Date;
  /** Sealed secrets that sign now: the current one, and the previous one during an overlap. */
  secretsEnc: string[];
  event: AuditEvent;
}

/** The wire form of an event, in webhooks and the change feed alike (docs/webhooks.md). */
export interface WebhookEvent {
  /** `<tenantId>.<seq>`: the same for every retry; the `webhook-id` header carries it. */
  id: string;
  type: string;
  timestamp: string;
  data: {
    tenantId: string;
    seq: number;
    actorUserId: string | null;
    actorTenantId: string | null;
    targetType: string;
    targetId: string | null;
    details: Record<string, unknown>;
    requestId: string | null;
  };
}

export const eventId = (tenantId: string, seq: number): string => `${tenantId}.${seq}`;

/** The URL without its query: a receiver's token in the query string stays out of logs and mail. */
export const loggedUrl = (url: string): string => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/**
 * The stable body of an event. The client address stays out: a receiver in another
 * organisation (a CRM, a SIEM) has no need for the personal data that an IP address is.
 *
 * `receiverTenantId` is the tenant whose subscription (or feed) receives it. An event of a
 * descendant tenant, received through a `subtree` subscription, goes out in the shape of a
 * `reference` event (decision 0013): what happened and where, never its details or request id —
 * those stay in the tenant the work was done in, readable there by its own administrators.
 */
export function webhookEvent(e: AuditEvent, receiverTenantId: string = e.tenantId): WebhookEvent {
  const own = e.tenantId === receiverTenantId;
  return {
    id: eventId(e.tenantId, e.seq),
    type: e.action,
    timestamp: e.at.toISOString(),
    data: {
      tenantId: e.tenantId,
      seq: e.seq,
      actorUserId: e.actorUserId,
      actorTenantId: e.actorTenantId,
      targetType: e.targetType,
      targetId: e.targetId,
      details: own ? e.details : {},
      requestId: own ? e.requestId : null,
    },
  };
}

/** Retries run for a day after the first attempt; then the delivery is given up. */
export const RETRY_WINDOW_SECONDS = 24 * 3600;

/**
 * Exponential backoff with full jitter: 5 s, 10 s, 20 s … capped at one hour, each drawn
 * uniformly from the upper half so receivers recovering from an outage are not hit in step.
 * `random` in [0, 1).
 */
export function webhookBackoffSeconds(attempts: number, random: number): number {
  const ceiling = Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + (ceiling / 2) * random;
}

/** After a failed attempt: retry at the returned time, or give up (undefined). */
export function nextAttempt(firstAttemptAt: Date, attempts: number, now: Date, random: number): Date | undefined {
  const next = new Date(now.getTime() + webhookBackoffSeconds(attempts, random) * 1000);
  return next.getTime() - firstAttemptAt.getTime() > RETRY_WINDOW_SECONDS * 1000 ? undefined : next;
}

/**
 * A subscription URL: https, or http to a loopback host when development allows it. The
 * address itself is judged when the worker connects (the outbound guard), as DNS can change.
 */
export function webhookUrlErrors(url: string, allowLoopbackHttp: boolean): FieldError[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [{ field: 'url', code: 'url', message: 'Not a valid URL' }];
  }
  if (u.username || u.password) return [{ field: 'url', code: 'url', message: 'No credentials in the URL' }];
  if (u.protocol === 'https:') return [];
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && loopback && allowLoopbackHttp) return [];
  return [{ field: 'url', code: 'https', message: 'The URL must use https' }];
}

/** The outcome of one attempt, as the delivery log shows it. */
export interface AttemptResult {
  status: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * Subscriptions and their deliveries. Every method that touches one tenant's data takes its id
 * (another tenant's subscription is not found). Deliveries are written by the audit append
 * itself (storage), so no use case can forget them.
 */
export interface WebhookRepo {
  insert(s: NewWebhookSubscription): Promise<WebhookSubscription>;
  list(tenantId: string): Promise<WebhookSubscription[]>;
  find(tenantId: string, id: string): Promise<WebhookSubscription | undefined>;
  update(tenantId: string, id: string, patch: WebhookPatch, now: Date): Promise<WebhookSubscription | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The current secret becomes the previous one, valid until `previousValidUntil`. */
  rotate(
    tenantId: string,
    id: string,
    secretEnc: string,
    previousValidUntil: Date,
    now: Date,
  ): Promise<WebhookSubscription | undefined>;
  /** The delivery log, newest first. */
  deliveries(tenantId: string, subscriptionId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Queues a delivery again (same event, same webhook-id); false when there is no such delivery. */
  redeliver(tenantId: string, subscriptionId: string, deliveryId: string, now: Date): Promise<boolean>;
  /**
   * Claims due deliveries with `FOR UPDATE SKIP LOCKED` and a lease: per subscription only its
   * oldest open delivery, and only while none of it is in flight, so a subscription receives its
   * events one at a time in order. The attempt count is raised by the claim.
   */
  claim(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedDelivery[]>;
  /**
   * Delivered; a failing subscription is active again. With `leaseUntil`, the subscription's next
   * delivery, when due, is claimed in the same commit and returned (the worker's lane goes on).
   */
  markDelivered(id: string, r: AttemptResult, now: Date, leaseUntil?: Date): Promise<ClaimedDelivery | undefined>;
  markFailed(id: string, r: AttemptResult, nextAttemptAt: Date): Promise<void>;
  /** Given up; the subscription is marked failing. True when it was not failing before. */
  markGivenUp(id: string, r: AttemptResult): Promise<{ becameFailing: boolean; tenantId: string; url: string }>;
  /** Addresses of the tenant's active users who may manage its webhooks. */
  managerEmails(tenantId: string): Promise<string[]>;
  /** The tenant's events after `afterSeq`, oldest first (the change feed). */
  eventsAfter(tenantId: string, afterSeq: number, limit: number): Promise<AuditEvent[]>;
}

/**
 * One signed POST of an event body; never throws (a refusal or a network error is a result).
 * The signed timestamp is the wall-clock moment of sending: receivers judge replays by it.
 */
export interface WebhookSender {
  send(req: { url: string; id: string; body: string; secrets: string[] }): Promise<AttemptResult & { ok: boolean }>;
}

/** What the webhook routes need beside AppDeps (wired in compose-webhooks.ts). */
export interface WebhookServices {
  /** Seals a new secret for storage. */
  seal(plain: string): string;
  /** A fresh secret in the Standard Webhooks form (`whsec_` and base64). */
  newSecret(): string;
  /** KONTOR_WEBHOOKS_ALLOW_LOOPBACK: http://127.0.0.1 URLs may be subscribed (development). */
  allowLoopback: boolean;
  /** Runs a delivery pass now (after a test event or a redelivery); never throws. */
  flush(): Promise<unknown>;
}
