import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { recordEvent } from '../../../src/app/context.js';
import type { WebhookWiring } from '../../../src/compose-webhooks.js';
import type { AuditEvent } from '../../../src/domain/audit.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { OutboundPolicy } from '../../../src/sso/outbound-guard.js';
import { type Client, type HttpKit, httpKit } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: Record<string, string>;
}

export type Responder = (r: Received, res: ServerResponse) => void;

/** A real HTTP receiver on 127.0.0.1: records each request, answers as `respond` says (200 by default). */
export interface Receiver {
  url: string;
  received: Received[];
  respond: Responder;
  /** The parsed bodies, in arrival order. */
  events(): { id: string; type: string; data: { tenantId: string; seq: number } & Record<string, unknown> }[];
  /** Verifies a request with the Standard Webhooks library (throws when no signature matches). */
  verify(r: Received, secret: string): unknown;
  close(): Promise<void>;
}

export async function receiver(path = '/hook'): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = {
    url: '',
    received,
    respond: (_r, res) => res.writeHead(200).end('ok'),
    events: () => received.map((x) => JSON.parse(x.body)),
    verify: (x, secret) => new Webhook(secret).verify(x.body, x.headers),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const x: Received = {
        id: headers['webhook-id'] ?? '',
        timestamp: headers['webhook-timestamp'] ?? '',
        signature: headers['webhook-signature'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        headers,
      };
      received.push(x);
      r.respond(x, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return r;
}

export interface WebhookKit extends HttpKit {
  hooks: WebhookWiring;
  admin: Client;
  tenant: Tenant;
  /** Subscribes through the API; returns the id and the secret shown once. */
  subscribe(
    c: Client,
    url: string,
    body?: Record<string, unknown>,
  ): Promise<{ id: string; secret: string; json: Record<string, unknown> }>;
  /** Commits one activity-log event in the tenant, the way every use case does. */
  event(t: Tenant, action?: string, details?: Record<string, unknown>): Promise<AuditEvent>;
  /** Delivery passes until nothing is due now. */
  deliver(): Promise<number>;
}

// Tests move the clock by hours (retries for a day): the sessions must outlive that.
const LONG_SESSIONS = { sessionIdleSeconds: 30 * 86400, sessionAbsoluteSeconds: 90 * 86400 };

/** An HTTP app whose webhook worker runs only when the test says (no timer). */
export async function webhookKit(outbound: OutboundPolicy = { allowLoopback: true }): Promise<WebhookKit> {
  let hooks: WebhookWiring | undefined;
  const h = await httpKit(LONG_SESSIONS, {
    webhookPollMs: 0,
    webhookOutbound: outbound,
    onWebhooks: (w) => (hooks = w),
  });
  if (!hooks) throw new Error('no webhook wiring');
  const wiring = hooks;
  const tenant = await h.k.aTenant(h.k.root, 'reseller');
  const admin = await h.signedIn(tenant, ADMIN_ROLES);
  return Object.assign(h, {
    hooks: wiring,
    admin,
    tenant,
    async subscribe(c: Client, url: string, body: Record<string, unknown> = {}) {
      const res = await c.call('POST', `/api/v1/tenants/${c.tenant.id}/webhooks`, { url, ...body });
      if (res.statusCode !== 201) throw new Error(`subscribe: ${res.statusCode} ${res.body}`);
      const json = res.json();
      return { id: json.subscription.id as string, secret: json.secret as string, json };
    },
    event: (t: Tenant, action = 'user.state.locked', details: Record<string, unknown> = {}) =>
      h.k.deps.store.transaction((r) =>
        recordEvent(r, { actor: null, meta: null }, h.clock.now(), {
          tenantId: t.id,
          action,
          targetType: 'user',
          targetId: randomUUID(),
          details,
        }),
      ),
    deliver: () => wiring.worker.flush(),
  });
}
