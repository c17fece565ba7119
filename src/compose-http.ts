import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { smtpMailSender } from './adapters/smtp-mail.js';
import { newRecoveryCode, otpauthTotp } from './adapters/totp.js';
import { simpleWebAuthn } from './adapters/webauthn.js';
import type { AuthServices, AuthSettings } from './app/auth/auth-deps.js';
import { prepareMail } from './app/auth/email-verification.js';
import { PrincipalCache } from './app/auth/principal-cache.js';
import type { AppDeps } from './app/context.js';
import { ImportJobs } from './app/import-jobs.js';
import { InstanceHeartbeat } from './app/instance-heartbeat.js';
import { MailWorker } from './app/mail-outbox.js';
import type { Kontor } from './compose.js';
import { type OidcWiring, wireOidc } from './compose-oidc.js';
import { systemServices } from './compose-system.js';
import { type WebhookWiring, wireWebhooks } from './compose-webhooks.js';
import type { Config } from './config/load-config.js';
import type { MailSender } from './domain/auth-ports.js';
import type { SsoServices } from './domain/sso.js';
import { buildServer } from './http/build-server.js';
import { requestScope } from './http/request-scope.js';
import { type OutboundPolicy, outboundGuard } from './sso/outbound-guard.js';
import { openIdRelyingParty } from './sso/relying-party.js';
import { aesGcmSecretBox } from './sso/secret-box.js';
import { chooseSecretKey } from './sso/secret-key.js';
import { authStore, nodeTokenCrypto } from './storage/auth-store.js';
import { importStore } from './storage/import-store.js';
import { journalWork } from './storage/repositories/idempotency.js';
import { scimStore } from './storage/scim-store.js';
import { ssoStore } from './storage/sso-store.js';
import { setWorkJournal } from './storage/store.js';
import { instanceRegistry } from './storage/system-status.js';
import { KONTOR_VERSION } from './version.js';

/**
 * One ephemeral key per database, not per server: every server on it must open what another
 * sealed (the OpenID Provider's signing keys, SSO client secrets). Servers on one database with
 * different keys failed with "unable to authenticate data". A PostgreSQL database is known by
 * its URL and schema (two processes of a test, instances in one process); PGlite by its handle.
 */
const ephemeralKeys = new Map<string, Buffer>();
const ephemeralByHandle = new WeakMap<object, Buffer>();
function secretKeyFor(kontor: Kontor): ReturnType<typeof chooseSecretKey> {
  const choice = chooseSecretKey(kontor.config.secretKey, kontor.config.dataDir);
  if (choice.source !== 'ephemeral') return choice;
  const { databaseUrl, dbSchema } = kontor.config;
  const name = databaseUrl ? `${databaseUrl}#${dbSchema ?? 'public'}` : undefined;
  const known = name ? ephemeralKeys.get(name) : ephemeralByHandle.get(kontor.db.kysely);
  if (known) return { ...choice, key: known };
  if (name) ephemeralKeys.set(name, choice.key);
  else ephemeralByHandle.set(kontor.db.kysely, choice.key);
  return choice;
}

export function authSettings(config: Config): AuthSettings {
  return {
    publicUrl: config.publicUrl,
    sessionIdleSeconds: config.sessionIdleSeconds,
    sessionAbsoluteSeconds: config.sessionAbsoluteSeconds,
    login: { ...config.login },
    passwordLinkSeconds: 60 * 60,
    signupLinkSeconds: 48 * 3600,
    signup: { maxPerAddress: 10, windowSeconds: 3600 },
    tokenMaxDays: 366,
    idempotencyLeaseSeconds: config.http.idempotencyLeaseSeconds,
  };
}

/**
 * The default mail sender writes the link to the log, so a fresh install works without SMTP.
 * Deliberately the one place a link reaches a log: replace it with a real sender in production.
 */
export const logMailSender = (log: () => FastifyInstance | undefined): MailSender => ({
  async send(m) {
    log()?.log.info({ mailTo: m.to, subject: m.subject, link: m.link }, 'mail not sent: the default sender logs it');
  },
});

export interface HttpAppOptions {
  /** The mail transport; default SMTP when KONTOR_SMTP_URL is set, else the log. */
  mail?: MailSender;
  /** Milliseconds between outbox passes (default 5000); 0 runs none (tests call `tick`). */
  mailIntervalMs?: number;
  deps?: AppDeps;
  settings?: Partial<AuthSettings>;
  logger?: boolean | object;
  /** Plain-http OpenID providers: tests on 127.0.0.1 only, deliberately not in Config. */
  ssoAllowInsecureHttp?: boolean;
  /** Overrides Config.outbound (tests that check the guard itself). */
  outbound?: OutboundPolicy;
  /** Milliseconds between checks for rotated OP signing keys (default 10 s); 0: none. */
  oidcKeyCheckMs?: number;
  /** Hands the OP's service and logout worker to a test. */
  onOidc?: (oidc: OidcWiring) => void;
  /** Milliseconds between webhook delivery passes (default KONTOR_WEBHOOKS_POLL_MS); 0: none. */
  webhookPollMs?: number;
  /** Overrides the webhook guard's policy (tests of its decisions). */
  webhookOutbound?: OutboundPolicy;
  /** Hands the webhook worker to a test. */
  onWebhooks?: (w: WebhookWiring) => void;
}

/** Wires the HTTP server onto a Kontor: auth storage on the same database, then buildServer. */
export async function createHttpApp(kontor: Kontor, opts: HttpAppOptions = {}): Promise<FastifyInstance> {
  const deps = opts.deps ?? kontor.deps;
  let app: FastifyInstance | undefined;
  const smtp =
    opts.mail || !kontor.config.smtpUrl ? undefined : smtpMailSender(kontor.config.smtpUrl, kontor.config.mailFrom);
  const mail = opts.mail ?? smtp ?? logMailSender(() => app);
  const store = authStore(kontor.db.kysely);
  const settings = { ...authSettings(kontor.config), ...opts.settings };
  const mailer = new MailWorker({
    store,
    sender: mail,
    clock: deps.clock,
    onError: (message, e) => app?.log.warn({ err: e }, message),
    prepare: (r, payload, now) => prepareMail({ tokens: nodeTokenCrypto, settings }, r, payload, now),
  });
  const auth: AuthServices = {
    authStore: store,
    tokens: nodeTokenCrypto,
    mail,
    mailer,
    settings,
    principals: new PrincipalCache(kontor.decisions),
  };
  journalIdempotentWork(kontor);
  // Versions may repeat after a failover: a lost listener empties the principal cache too.
  // (Registered for the Kontor's lifetime: one server per Kontor in production.)
  const principals = auth.principals;
  if (principals) kontor.onResync(() => principals.clear());
  const keyChoice = secretKeyFor(kontor);
  const policy = opts.outbound ?? kontor.config.outbound;
  // Not closed with the server: undici unrefs idle sockets, so the guard never holds the process.
  const guard = outboundGuard(policy);
  // TOTP secrets are sealed with the same key as SSO client secrets (KONTOR_SECRET_KEY).
  auth.mfa = {
    totp: otpauthTotp,
    box: aesGcmSecretBox(keyChoice.key),
    recoveryCode: newRecoveryCode,
    issuer: 'Kontor',
    webauthn: simpleWebAuthn,
  };
  auth.sso = ssoServices(kontor, keyChoice.key, opts.ssoAllowInsecureHttp === true, guard.fetch, deps.clock);
  const importDeps = { ...deps, importStore: importStore(kontor.db.kysely) };
  auth.imports = { deps: importDeps, jobs: new ImportJobs(importDeps) };
  const heartbeat = new InstanceHeartbeat({
    registry: instanceRegistry(kontor.db.kysely),
    clock: deps.clock,
    id: randomUUID(),
    version: KONTOR_VERSION,
    ready: () => (deps.primaryReady ? deps.primaryReady() : Promise.resolve(true)),
    onError: (message, e) => app?.log.warn({ err: e }, message),
  });
  auth.system = systemServices(kontor, {
    self: { id: heartbeat.id, heartbeatSeconds: kontor.config.instanceHeartbeatSeconds },
    sealingKey: keyChoice.source,
    secretKey: keyChoice.key,
    onError: (message, e) => app?.log.warn({ err: e }, message),
  });
  const logger = opts.logger ?? { level: kontor.config.logLevel };
  const oidc = await wireOidc(kontor.config, { ...deps, ...auth }, keyChoice.key, guard.fetch, {
    ...(opts.oidcKeyCheckMs !== undefined ? { keyCheckMs: opts.oidcKeyCheckMs } : {}),
    onError: (message, e) => app?.log.warn({ err: e }, message),
  });
  const webhooks = wireWebhooks(kontor.config, deps, keyChoice.key, {
    ...(opts.webhookPollMs !== undefined ? { pollMs: opts.webhookPollMs } : {}),
    ...(opts.webhookOutbound ? { outbound: opts.webhookOutbound } : {}),
    onError: (message, e) => app?.log.warn({ err: e }, message),
  });
  auth.webhooks = webhooks.services;
  // Back-channel logouts share the mail worker's rhythm: both drain the outbox.
  const stopMail = startMailWorker(
    {
      flush: () => Promise.all([mailer.flush(), oidc.logout.flush()]).then(() => undefined),
      idle: () => Promise.all([mailer.idle(), oidc.logout.idle()]).then(() => undefined),
    },
    opts.mailIntervalMs ?? 5000,
    () => {
      smtp?.close();
      oidc.service.close();
    },
  );
  let beats: NodeJS.Timeout | undefined;
  app = await buildServer({
    deps,
    config: kontor.config,
    auth,
    logger,
    scim: scimStore(kontor.db.kysely),
    oidc: oidc.service,
    opTokens: oidc.decisionTokens,
    metrics: kontor.metrics,
    ...(kontor.tracing ? { tracing: kontor.tracing } : {}),
    onClose: async () => {
      clearInterval(beats);
      await heartbeat.stop();
      await webhooks.stop();
      await stopMail();
    },
  });
  opts.onOidc?.(oidc);
  // The first beat at once: the status shows this instance from its first request on.
  await heartbeat.beat();
  beats = setInterval(() => void heartbeat.beat(), kontor.config.instanceHeartbeatSeconds * 1000);
  beats.unref();
  opts.onWebhooks?.(webhooks);
  // Mail queued before this start (or by a process that died) goes out now, not at the first interval.
  void mailer.flush();
  if (!opts.mail && !smtp) {
    app.log.warn('KONTOR_SMTP_URL is not set: mail is not sent, its links are written to the log');
  }
  if (keyChoice.source !== 'config') {
    app.log.warn({ source: keyChoice.source }, 'KONTOR_SECRET_KEY is not set: SSO client secrets use a local key');
  }
  if (policy.allowLoopback) {
    app.log.warn(
      'KONTOR_OUTBOUND_ALLOW_LOOPBACK=1: SSO providers on 127.0.0.1 are reachable; development and tests only',
    );
  }
  if (webhooks.services.allowLoopback) {
    app.log.warn('KONTOR_WEBHOOKS_ALLOW_LOOPBACK=1: webhooks may reach 127.0.0.1; development and tests only');
  }
  return app;
}

/** The outbox worker runs while the server does: a pass every `everyMs`; the result stops it. */
function startMailWorker(
  mailer: Pick<MailWorker, 'flush' | 'idle'>,
  everyMs: number,
  release: () => void,
): () => Promise<void> {
  const timer = everyMs > 0 ? setInterval(() => void mailer.flush(), everyMs) : undefined;
  timer?.unref();
  return async () => {
    clearInterval(timer);
    await mailer.idle();
    release();
  };
}

/** SSO on the same database: the relying party opens sealed secrets only when it talks to the IdP. */
function ssoServices(
  kontor: Kontor,
  key: Buffer,
  allowInsecureHttp: boolean,
  fetch: typeof globalThis.fetch,
  clock: { now(): Date },
): SsoServices {
  const store = ssoStore(kontor.db.kysely);
  const box = aesGcmSecretBox(key);
  const rp = openIdRelyingParty({
    allowInsecureHttp,
    fetch,
    clockNow: () => clock.now().getTime(),
    async clientSecret(id) {
      const sealed = await store.read((r) => r.sso.clientSecretEnc(id));
      return sealed ? box.open(sealed) : null;
    },
  });
  return { store, rp, box, flowSeconds: kontor.config.ssoFlowSeconds };
}

/**
 * The work journal of requests with an Idempotency-Key (see WorkJournal): the HTTP layer's
 * request scope says which key a transaction works for; the journal entry is written inside it.
 */
function journalIdempotentWork(kontor: Kontor): void {
  setWorkJournal(kontor.db.kysely, {
    replay() {
      const work = requestScope.getStore()?.idempotency;
      if (!work?.replay || work.replay.length === 0) return undefined;
      return { value: work.replay.shift() };
    },
    async record(trx, result) {
      const work = requestScope.getStore()?.idempotency;
      if (!work || work.replay) return;
      work.recorded.push(result === undefined ? null : result);
      await journalWork(trx, work.scope, work.key, work.recorded);
    },
  });
}
