import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthDeps } from '../../app/auth/auth-deps.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { requestScope } from '../request-scope.js';

interface Held {
  scope: string;
  key: string;
}

const held = new WeakMap<FastifyRequest, Held>();
/** Requests whose COMMIT was sent but never confirmed: the work may be done. */
const unknownOutcome = new WeakSet<FastifyRequest>();
const replaying = new WeakSet<FastifyRequest>();
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Keys are remembered this long; afterwards a key may be reused. */
const KEEP_HOURS = 24;
/** Default for how long an unanswered reservation is held for a request that may still run. */
const LEASE_SECONDS = 60;
/** Stored in place of a secret-bearing answer: marks the key used without keeping the secret. */
const WITHHELD = 'application/x-kontor-withheld';

/**
 * Idempotency-Key on POST: the first request with a key reserves it (an insert that only one
 * racer wins), runs, and stores its answer; a repeat with the same body replays that answer,
 * a repeat with another body is refused with 422, a repeat while the first still runs with 409.
 * Keys are scoped per user. Server errors release the key, so a retry can run again — except
 * when the database lost the connection while committing: the work may be done, so the key stays
 * held. Replayable handlers journal each transaction's result inside that transaction (see
 * WorkJournal): when the answer was lost but the work committed (a COMMIT cut off, a process
 * killed before it stored the answer), a retry runs the handler with its transactions answered
 * from the journal and gets the original answer. Without a journal entry a held key answers 409
 * until the lease (`idempotencyLeaseSeconds`) runs out; then a retry takes it over and runs.
 * Secret-bearing routes (`secretBearing`: API tokens, password links) never store a successful
 * answer: the journal keeps only a marker, and a repeat of the key is refused with
 * `request.secret_not_replayable` — so the key still stops a second token or link, but a secret
 * is shown once, never again to another session of the user or to one of his bearer tokens.
 */
export function installIdempotency(app: FastifyInstance, deps: AuthDeps): void {
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined || !req.principal || req.routeOptions.config?.noIdempotency) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new AppError('validation.invalid', 'Idempotency-Key must be 1–255 visible ASCII characters', {
        errors: [{ field: 'Idempotency-Key', code: 'format', message: '1–255 visible ASCII characters' }],
      });
    }
    const scope = `user:${req.principal.ctx.actor.userId}`;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const now = deps.clock.now();
    const lease = deps.settings.idempotencyLeaseSeconds ?? LEASE_SECONDS;
    const r = await deps.authStore.read(async (repos) => {
      await repos.idempotency.purge(new Date(now.getTime() - KEEP_HOURS * 3600_000));
      return repos.idempotency.reserve(scope, key, fingerprint, now, new Date(now.getTime() - lease * 1000));
    });
    // Only replayable handlers journal their work: others may return secrets (API tokens).
    const requestState = req.routeOptions.config?.replayable ? requestScope.getStore() : undefined;
    if (r.reserved) {
      held.set(req, { scope, key });
      if (requestState) requestState.idempotency = { scope, key, recorded: [] };
      return;
    }
    if (r.fingerprint !== fingerprint) throw new AppError('request.idempotency_mismatch');
    if (!r.response && r.applied && requestState) {
      // The work committed but its answer was lost (a COMMIT cut off, a process killed before it
      // stored the answer): the handler runs once more with every transaction answered from the
      // journal, so the client gets the original answer and nothing is done twice.
      held.set(req, { scope, key });
      replaying.add(req);
      requestState.idempotency = { scope, key, recorded: [], replay: [...r.applied] };
      return;
    }
    if (!r.response) throw new AppError('resource.conflict', 'A request with this Idempotency-Key is still running');
    // The route flag also covers answers stored before the route was marked.
    if (r.response.contentType === WITHHELD || (req.routeOptions.config?.secretBearing && r.response.status < 300)) {
      throw new AppError('request.secret_not_replayable');
    }
    return reply
      .code(r.response.status)
      .type(r.response.contentType)
      .header('idempotent-replayed', 'true')
      .send(r.response.body);
  });

  app.addHook('onError', async (req, _reply, err) => {
    if (held.has(req) && isAppError(err) && err.details?.commitOutcome === 'unknown') unknownOutcome.add(req);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const h = held.get(req);
    if (!h) return payload;
    held.delete(req);
    const body = payload === undefined || payload === null ? '' : payload;
    if (unknownOutcome.has(req)) return payload;
    if (reply.statusCode >= 500 || typeof body !== 'string') {
      // During an outage the release fails too; the lease frees the key later.
      await deps.authStore.read((r) => r.idempotency.release(h.scope, h.key)).catch(() => undefined);
      return payload;
    }
    if (replaying.has(req)) reply.header('idempotent-replayed', 'true');
    const withheld = req.routeOptions.config?.secretBearing === true && reply.statusCode < 300;
    const contentType = withheld ? WITHHELD : String(reply.getHeader('content-type') ?? 'application/json');
    await deps.authStore.read((r) =>
      r.idempotency.complete(h.scope, h.key, { status: reply.statusCode, contentType, body: withheld ? '' : body }),
    );
    return payload;
  });
}
