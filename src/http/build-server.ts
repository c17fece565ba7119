import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AuthDeps, AuthServices } from '../app/auth/auth-deps.js';
import type { AppDeps } from '../app/context.js';
import type { Config } from '../config/load-config.js';
import type { ScimStore } from '../domain/scim.js';
import type { RequestTracing } from '../domain/tracing.js';
import { installOidc } from '../oidc/http-plugin.js';
import type { OidcService } from '../oidc/oidc-service.js';
import { scimServer } from '../scim/scim-server.js';
import { installAuth } from './plugins/auth.js';
import { installConsole } from './plugins/console.js';
import { installIdempotency } from './plugins/idempotency.js';
import { logSerializers } from './plugins/log-serializers.js';
import { type HttpMetrics, installMetrics } from './plugins/metrics.js';
import { installOpenApi } from './plugins/openapi.js';
import { installProblems } from './plugins/problem.js';
import { installReadYourWrites } from './plugins/read-your-writes.js';
import { installRefusalAudit } from './plugins/refusal-audit.js';
import { installSecurityHeaders } from './plugins/security-headers.js';
import { installTracing } from './plugins/tracing.js';
import { installValidation } from './plugins/validation.js';
import { installRequestScope } from './request-scope.js';
import { registerRoutes } from './routes/index.js';
import type { RouteDeps } from './types.js';

/** Bodies are small JSON documents; anything larger is refused before parsing (413). */
const BODY_LIMIT = 64 * 1024;

// Secrets never reach the log: credentials in headers and every password or token field.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.csrfToken',
  '*.clientSecret',
  // Second factors (issue 16): codes, recovery codes, the pending sign-in, a TOTP secret.
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.pendingToken',
  '*.secret',
  '*.otpauthUri',
];

/** Behind HTTPS the __Host- prefix pins the cookie to this host, path / and Secure. */
export const sessionCookieName = (secure: boolean): string => (secure ? '__Host-kontor_session' : 'kontor_session');

export async function buildServer(opts: {
  deps: AppDeps;
  config: Config;
  auth: AuthServices;
  logger?: boolean | object;
  /** SCIM 2.0 provisioning (issue 6) under /scim/v2; absent, there is none. */
  scim?: ScimStore;
  /** Kontor as OpenID Provider (issue 15) under /oidc; absent, there is none. */
  oidc?: OidcService;
  /** The caller behind an OP access token at the decision API (decision 0016); absent, refused. */
  opTokens?: RouteDeps['opTokens'];
  /** Request metrics and GET /metrics (issue 19); absent, neither. */
  metrics?: HttpMetrics;
  /** A server span per request (issue 19 #2); absent (tracing off), no hook at all. */
  tracing?: RequestTracing;
  /** Background work that lives as long as the server (the mail worker): stopped on close. */
  onClose?: () => Promise<void>;
}): Promise<FastifyInstance> {
  const { config } = opts;
  const logger = opts.logger === undefined || opts.logger === true ? { level: config.logLevel } : opts.logger;
  const app = Fastify({
    logger:
      logger === false
        ? false
        : {
            ...(logger as object),
            redact: { paths: REDACT, censor: '[redacted]' },
            serializers: logSerializers,
            // JSON leaves U+2028/U+2029 raw, and some log readers split lines on them: one
            // record stays one line whatever text a client managed to get into it.
            hooks: {
              streamWrite: (s: string) => s.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')),
            },
          },
    bodyLimit: BODY_LIMIT,
    // Slow clients hold sockets and memory: the head and the whole request must arrive in time
    // (408 and close otherwise), silent sockets close, and an oversized head is refused (431).
    connectionTimeout: config.http.idleTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.http.maxRequestsPerSocket,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      maxHeaderSize: config.http.maxHeaderBytes,
      // Node enforces both timeouts by a sweep at this interval (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.http.headersTimeoutMs / 4))),
    },
    genReqId: () => randomUUID(),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Client addresses feed throttling and the audit log: believe forwarded headers only from
    // the configured proxies, never from anyone.
    ...(config.trustedProxies.length > 0 ? { trustProxy: [...config.trustedProxies] } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();
  const deps: AuthDeps = { ...opts.deps, ...opts.auth };
  const r: RouteDeps = {
    deps,
    cookieName: sessionCookieName(config.secureCookies),
    secureCookies: config.secureCookies,
    ...(opts.opTokens ? { opTokens: opts.opTokens } : {}),
  };
  // Only JSON bodies: a cross-site form (text/plain, urlencoded) cannot reach a handler.
  app.removeContentTypeParser('text/plain');
  // First: the span covers every other hook, and they run with it as the current span.
  if (opts.tracing) installTracing(app, opts.tracing);
  installRequestScope(app);
  installValidation(app);
  installProblems(app);
  await app.register(cookie);
  installAuth(app, r);
  installRefusalAudit(app, deps);
  installIdempotency(app, deps);
  installReadYourWrites(app, { seconds: config.readYourWritesSeconds, secure: config.secureCookies });
  installSecurityHeaders(app);
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });
  if (opts.metrics) installMetrics(app, opts.metrics, deps.catalogue);
  await installOpenApi(app, r.cookieName);
  await app.register(async (api) => registerRoutes(api.withTypeProvider<TypeBoxTypeProvider>(), r), {
    prefix: '/api/v1',
  });
  if (opts.oidc) await installOidc(app, { service: opts.oidc, deps, secureCookies: config.secureCookies });
  if (opts.scim) await app.register(scimServer(deps, opts.scim), { prefix: '/scim/v2' });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // Ready only while a write-capable primary answers quickly: no database, a standby or a
  // demoted (read-only) primary takes this instance out of the balancer; /healthz stays 200.
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const ready = deps.primaryReady
      ? await deps.primaryReady()
      : await deps.store
          .read((x) => x.tenants.findRoot())
          .then(
            () => true,
            () => false,
          );
    return ready ? { status: 'ready' } : reply.code(503).send({ status: 'unavailable' });
  });
  await installConsole(app);
  const onClose = opts.onClose;
  if (onClose) app.addHook('onClose', async () => onClose());
  await app.ready();
  return app;
}
