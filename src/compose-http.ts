import type { FastifyInstance } from 'fastify';
import type { AuthServices, AuthSettings } from './app/auth/auth-deps.js';
import { PrincipalCache } from './app/auth/principal-cache.js';
import type { AppDeps } from './app/context.js';
import { ImportJobs } from './app/import-jobs.js';
import type { Kontor } from './compose.js';
import type { Config } from './config/load-config.js';
import type { MailSender } from './domain/auth-ports.js';
import type { SsoServices } from './domain/sso.js';
import { buildServer } from './http/build-server.js';
import { requestScope } from './http/request-scope.js';
import { openIdRelyingParty } from './sso/relying-party.js';
import { aesGcmSecretBox } from './sso/secret-box.js';
import { chooseSecretKey } from './sso/secret-key.js';
import { authStore, nodeTokenCrypto } from './storage/auth-store.js';
import { importStore } from './storage/import-store.js';
import { journalWork } from './storage/repositories/idempotency.js';
import { scimStore } from './storage/scim-store.js';
import { ssoStore } from './storage/sso-store.js';
import { setWorkJournal } from './storage/store.js';

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
  mail?: MailSender;
  deps?: AppDeps;
  settings?: Partial<AuthSettings>;
  logger?: boolean | object;
  /** Plain-http OpenID providers: tests on 127.0.0.1 only, deliberately not in Config. */
  ssoAllowInsecureHttp?: boolean;
}

/** Wires the HTTP server onto a Kontor: auth storage on the same database, then buildServer. */
export async function createHttpApp(kontor: Kontor, opts: HttpAppOptions = {}): Promise<FastifyInstance> {
  const deps = opts.deps ?? kontor.deps;
  let app: FastifyInstance | undefined;
  const auth: AuthServices = {
    authStore: authStore(kontor.db.kysely),
    tokens: nodeTokenCrypto,
    mail: opts.mail ?? logMailSender(() => app),
    settings: { ...authSettings(kontor.config), ...opts.settings },
    principals: new PrincipalCache(kontor.decisions),
  };
  journalIdempotentWork(kontor);
  // Versions may repeat after a failover: a lost listener empties the principal cache too.
  // (Registered for the Kontor's lifetime: one server per Kontor in production.)
  const principals = auth.principals;
  if (principals) kontor.onResync(() => principals.clear());
  const keyChoice = chooseSecretKey(kontor.config.secretKey, kontor.config.dataDir);
  auth.sso = ssoServices(kontor, keyChoice.key, opts.ssoAllowInsecureHttp === true);
  const importDeps = { ...deps, importStore: importStore(kontor.db.kysely) };
  auth.imports = { deps: importDeps, jobs: new ImportJobs(importDeps) };
  const logger = opts.logger ?? { level: kontor.config.logLevel };
  app = await buildServer({ deps, config: kontor.config, auth, logger, scim: scimStore(kontor.db.kysely) });
  if (keyChoice.source !== 'config') {
    app.log.warn({ source: keyChoice.source }, 'KONTOR_SECRET_KEY is not set: SSO client secrets use a local key');
  }
  return app;
}

/** SSO on the same database: the relying party opens sealed secrets only when it talks to the IdP. */
function ssoServices(kontor: Kontor, key: Buffer, allowInsecureHttp: boolean): SsoServices {
  const store = ssoStore(kontor.db.kysely);
  const box = aesGcmSecretBox(key);
  const rp = openIdRelyingParty({
    allowInsecureHttp,
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
