import { AppError } from '../domain/errors.js';
import { type WebhookEvent, webhookEvent } from '../domain/webhooks.js';
import { type AppDeps, type Ctx, requirePermission } from './context.js';
import { assertActingTenant } from './tenant-reach.js';

export interface FeedQuery {
  /** The cursor of the previous answer; absent: from the tenant's first event. */
  after?: string;
  /** Seconds to wait for an event when none is there yet (long-poll); 0 answers at once. */
  waitSeconds: number;
  limit: number;
  /** Ends the wait early (the client went away). */
  signal?: AbortSignal;
}

/** Between looks at the table while a long-poll waits: short, so an event arrives promptly. */
const POLL_MS = 200;
const CURSOR = /^v1\.(\d{1,15})$/;

/** Opaque to clients: today the last seq read, versioned so the form may change. */
const encode = (seq: number): string => Buffer.from(`v1.${seq}`).toString('base64url');

function decode(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[1]) {
    throw new AppError('validation.invalid', 'The cursor is not one this feed gave out', {
      errors: [{ field: 'after', code: 'cursor', message: 'Unknown cursor' }],
    });
  }
  return Number(m[1]);
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      done();
    });
  });

/**
 * The change feed (issue 17 #5): the tenant's events after the cursor, oldest first, in the
 * webhook schema. Who may read the activity log may read it; an operation role reads system
 * events only, as in the activity log. Resumable after any outage: the cursor is a position in
 * the tenant's gap-free log, so nothing is skipped or repeated.
 */
export async function readFeed(
  deps: AppDeps,
  ctx: Ctx,
  tenantId: string,
  q: FeedQuery,
): Promise<{ items: WebhookEvent[]; cursor: string }> {
  await assertActingTenant(deps, ctx, tenantId);
  const systemOnly = !ctx.actor.permissions.has('audit.read');
  if (systemOnly) requirePermission(ctx.actor, 'system.events.read', deps.catalogue);
  let after = decode(q.after);
  const deadline = performance.now() + q.waitSeconds * 1000;
  const store = deps.readStore ?? deps.store;
  for (;;) {
    const events = await store.read((r) => r.webhooks.eventsAfter(tenantId, after, q.limit));
    const last = events.at(-1);
    if (last) after = last.seq;
    const items = (systemOnly ? events.filter((e) => e.action.startsWith('system.')) : events).map((e) =>
      webhookEvent(e),
    );
    if (items.length > 0 || performance.now() >= deadline || q.signal?.aborted) {
      return { items, cursor: encode(after) };
    }
    await pause(Math.min(POLL_MS, Math.max(0, deadline - performance.now())), q.signal);
  }
}
