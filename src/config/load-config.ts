import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** A read replica for lists and the activity log (DATABASE_READ_URL); never for access. */
  readonly databaseReadUrl: string | undefined;
  /** After its own write, a session reads the primary for this long (read-your-writes). */
  readonly readYourWritesSeconds: number;
  readonly dbSchema: string | undefined;
  readonly rolesFile: string;
  readonly appPermissionsFile: string;
  readonly providerSlug: string;
  readonly providerName: string;
  readonly adminLogin: string;
  readonly sessionIdleSeconds: number;
  readonly sessionAbsoluteSeconds: number;
  readonly logLevel: string;
  /** HTTP limits against slow and oversized clients (README, Configuration). */
  readonly http: {
    /** The complete request head must arrive within this, or 408 and close (slowloris). */
    readonly headersTimeoutMs: number;
    /** The complete request, body included, must arrive within this, or 408 and close. */
    readonly requestTimeoutMs: number;
    /** A socket with no traffic at all for this long is closed. */
    readonly idleTimeoutMs: number;
    /** How long an idle keep-alive connection stays open; above a load balancer's idle timeout. */
    readonly keepAliveTimeoutMs: number;
    /** Request line plus headers above this many bytes are refused with 431. */
    readonly maxHeaderBytes: number;
    /** Requests per keep-alive connection before it is closed (0: unlimited). */
    readonly maxRequestsPerSocket: number;
    /** An unanswered Idempotency-Key reservation older than this belonged to a dead process. */
    readonly idempotencyLeaseSeconds: number;
  };
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDRs). Empty: the socket address
   * is the client, so a load balancer in front would make every client one address.
   */
  readonly trustedProxies: readonly string[];
  /** Cookies get Secure and the __Host- prefix when the public URL is https. */
  readonly secureCookies: boolean;
  readonly login: {
    readonly maxFailuresPerAccount: number;
    readonly maxFailuresPerAddress: number;
    readonly windowSeconds: number;
  };
  /** KONTOR_SECRET_KEY: 32 bytes (base64) sealing SSO client secrets; see src/sso/secret-key.ts. */
  readonly secretKey: Buffer | undefined;
  /** KONTOR_SMTP_URL (smtp:// or smtps://); unset, mail goes to the log. */
  readonly smtpUrl: string | undefined;
  /** KONTOR_MAIL_FROM: the sender address of every mail. */
  readonly mailFrom: string;
  /** How long a started SSO sign-in may take at the provider. */
  readonly ssoFlowSeconds: number;
  /** Kontor as OpenID Provider: KONTOR_OIDC_ACCESS_TOKEN_SECONDS, the lifetime of access tokens. */
  readonly oidc: { readonly accessTokenSeconds: number };
  /** Which addresses outbound calls (SSO providers) may reach; see src/sso/outbound-guard.ts. */
  readonly outbound: { readonly allowLoopback: boolean; readonly allow: readonly string[] };
  /**
   * Webhook delivery (issue 17). KONTOR_WEBHOOKS_ALLOW_LOOPBACK=1 lets subscriptions reach
   * http://127.0.0.1 and other loopback addresses (development and tests only; separate from the
   * SSO setting, so allowing a local IdP never opens loopback to tenants' webhook URLs).
   * KONTOR_WEBHOOKS_POLL_MS: how often the delivery worker looks for due deliveries.
   */
  readonly webhooks: { readonly allowLoopback: boolean; readonly pollMs: number };
  /**
   * How a request verifies the per-process caches of sessions and decisions on PostgreSQL.
   * `strict` (default): against a version read begun after the request arrived (shared by
   * concurrent requests), so a change acknowledged on any instance holds on the next request.
   * `notify`: against NOTIFY alone, so another instance's change is seen when its notification
   * arrives (milliseconds; at most 0.5 s) — fewer queries, for read-heavy deployments.
   */
  readonly cacheFreshness: 'strict' | 'notify';
  /**
   * KONTOR_METRICS_LISTEN (host:port): a second listener serving GET /metrics without
   * credentials, for scrapers inside the network. Unset, /metrics needs an operation role.
   */
  readonly metricsListen: { readonly host: string; readonly port: number } | undefined;
  /**
   * KONTOR_INSTANCE_HEARTBEAT_SECONDS: how often each server writes its row in `instances`
   * (GET /api/v1/system/status); an instance silent for three beats counts as silent.
   */
  readonly instanceHeartbeatSeconds: number;
  /**
   * OpenTelemetry tracing (docs/operations.md, "Tracing"): off (undefined) unless
   * KONTOR_OTLP_ENDPOINT names an OTLP/HTTP traces URL.
   */
  readonly tracing: Tracing | undefined;
  /** Storage fault handling (docs/operations.md, "Database faults and failover"). */
  readonly storage: {
    /** Attempts of a unit of work hit by a transient fault, the first included. */
    readonly retryAttempts: number;
    /** No retry starts later than this after the first attempt. */
    readonly retryBudgetMs: number;
    /** Opening a connection, or waiting for a pooled one, fails after this. */
    readonly connectTimeoutMs: number;
    /** PostgreSQL statement_timeout; 0 for none. */
    readonly statementTimeoutMs: number;
  };
}

export interface Tracing {
  /** KONTOR_OTLP_ENDPOINT: where spans are sent, e.g. http://collector:4318/v1/traces. */
  readonly endpoint: string;
  /** KONTOR_TRACE_SERVICE_NAME: the `service.name` resource attribute (default `kontor`). */
  readonly serviceName: string;
  /** KONTOR_TRACE_SAMPLE_RATIO (0–1, default 1): share of new traces kept; a caller's choice is followed. */
  readonly sampleRatio: number;
  /**
   * KONTOR_OTLP_HEADERS (`name=value,…`): sent with every export, typically a collector's API
   * key; "secret" in the name keeps them out of the effective configuration.
   */
  readonly secretHeaders: Readonly<Record<string, string>>;
}

type Env = Record<string, string | undefined>;

function int(env: Env, key: string, def: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${key} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function secretKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw === '') return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32)
    throw new Error('KONTOR_SECRET_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
  return key;
}

function httpLimits(env: Env): Config['http'] {
  const requestTimeoutMs = int(env, 'KONTOR_HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const headersTimeoutMs = int(env, 'KONTOR_HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000);
  // Node refuses a head timeout longer than the whole request's.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error('KONTOR_HTTP_HEADERS_TIMEOUT_MS must not exceed KONTOR_HTTP_REQUEST_TIMEOUT_MS');
  }
  return Object.freeze({
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: int(env, 'KONTOR_HTTP_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    keepAliveTimeoutMs: int(env, 'KONTOR_HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    maxHeaderBytes: int(env, 'KONTOR_HTTP_MAX_HEADER_BYTES', 16_384, 1024, 1_048_576),
    maxRequestsPerSocket: int(env, 'KONTOR_HTTP_MAX_REQUESTS_PER_SOCKET', 0, 0, 1_000_000),
    idempotencyLeaseSeconds: int(env, 'KONTOR_IDEMPOTENCY_LEASE_SECONDS', 60, 1, 86_400),
  });
}

/** The only reader of process.env: validates once and freezes. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = int(env, 'KONTOR_PORT', 3000, 0, 65535);
  const host = env.KONTOR_HOST || '127.0.0.1';
  const publicUrl = (env.KONTOR_PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(
    /\/$/,
    '',
  );
  const schema = env.KONTOR_DB_SCHEMA || undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('KONTOR_DB_SCHEMA must be a lower-case SQL identifier');
  }
  const slug = env.KONTOR_PROVIDER_SLUG || 'provider';
  return Object.freeze({
    port,
    host,
    publicUrl,
    dataDir: resolve(cwd, env.KONTOR_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrl: env.DATABASE_URL ? env.DATABASE_READ_URL || undefined : undefined,
    readYourWritesSeconds: int(env, 'KONTOR_READ_YOUR_WRITES_SECONDS', 10, 1, 3600),
    dbSchema: schema,
    rolesFile: resolve(cwd, env.KONTOR_ROLES_FILE || 'config/roles.yaml'),
    appPermissionsFile: resolve(cwd, env.KONTOR_APP_PERMISSIONS_FILE || 'config/app-permissions.yaml'),
    providerSlug: slug,
    providerName: env.KONTOR_PROVIDER_NAME || 'Provider',
    adminLogin: env.KONTOR_ADMIN_LOGIN || 'admin',
    sessionIdleSeconds: int(env, 'KONTOR_SESSION_IDLE_SECONDS', 30 * 60, 60, 86400 * 30),
    sessionAbsoluteSeconds: int(env, 'KONTOR_SESSION_ABSOLUTE_SECONDS', 12 * 3600, 60, 86400 * 90),
    logLevel: env.KONTOR_LOG_LEVEL || 'info',
    http: httpLimits(env),
    trustedProxies: Object.freeze(
      (env.KONTOR_TRUSTED_PROXIES ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
    secureCookies: publicUrl.startsWith('https://'),
    login: Object.freeze({
      maxFailuresPerAccount: int(env, 'KONTOR_LOGIN_MAX_FAILURES', 5, 1, 1000),
      maxFailuresPerAddress: int(env, 'KONTOR_LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100000),
      windowSeconds: int(env, 'KONTOR_LOGIN_WINDOW_SECONDS', 15 * 60, 1, 86400),
    }),
    secretKey: secretKey(env.KONTOR_SECRET_KEY),
    smtpUrl: smtpUrl(env.KONTOR_SMTP_URL),
    mailFrom: env.KONTOR_MAIL_FROM || 'kontor@localhost',
    ssoFlowSeconds: int(env, 'KONTOR_SSO_FLOW_SECONDS', 600, 30, 3600),
    // Short: an access token cannot be recalled from an app's API that verifies it offline.
    oidc: Object.freeze({ accessTokenSeconds: int(env, 'KONTOR_OIDC_ACCESS_TOKEN_SECONDS', 300, 30, 3600) }),
    outbound: outbound(env),
    webhooks: Object.freeze({
      allowLoopback: env.KONTOR_WEBHOOKS_ALLOW_LOOPBACK === '1',
      pollMs: int(env, 'KONTOR_WEBHOOKS_POLL_MS', 1000, 10, 60_000),
    }),
    cacheFreshness: freshness(env.KONTOR_CACHE_FRESHNESS),
    metricsListen: metricsListen(env.KONTOR_METRICS_LISTEN),
    instanceHeartbeatSeconds: int(env, 'KONTOR_INSTANCE_HEARTBEAT_SECONDS', 15, 1, 3600),
    tracing: tracing(env),
    storage: Object.freeze({
      retryAttempts: int(env, 'KONTOR_DB_RETRY_ATTEMPTS', 5, 1, 20),
      retryBudgetMs: int(env, 'KONTOR_DB_RETRY_BUDGET_MS', 3000, 0, 60_000),
      connectTimeoutMs: int(env, 'KONTOR_DB_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
      statementTimeoutMs: int(env, 'KONTOR_DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
    }),
  });
}

function smtpUrl(v: string | undefined): string | undefined {
  if (!v) return undefined;
  if (!/^smtps?:\/\//.test(v)) throw new Error('KONTOR_SMTP_URL must start with smtp:// or smtps://');
  return v;
}

function outbound(env: Env): Config['outbound'] {
  const allow = (env.KONTOR_OUTBOUND_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = allow.find((c) => !ipaddr.isValidCIDR(c));
  if (bad) throw new Error(`KONTOR_OUTBOUND_ALLOW: not a CIDR: ${bad}`);
  return Object.freeze({ allowLoopback: env.KONTOR_OUTBOUND_ALLOW_LOOPBACK === '1', allow: Object.freeze(allow) });
}

function freshness(v: string | undefined): 'strict' | 'notify' {
  if (v === undefined || v === '' || v === 'strict') return 'strict';
  if (v === 'notify') return 'notify';
  throw new Error('KONTOR_CACHE_FRESHNESS must be strict or notify');
}

function metricsListen(v: string | undefined): Config['metricsListen'] {
  if (!v) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  const port = Number(m?.[2]);
  if (!m?.[1] || port > 65535) throw new Error('KONTOR_METRICS_LISTEN must be host:port, e.g. 127.0.0.1:9464');
  return Object.freeze({ host: m[1].replace(/^\[|\]$/g, ''), port });
}

function tracing(env: Env): Config['tracing'] {
  const endpoint = env.KONTOR_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  if (!/^https?:\/\/[^/]/.test(endpoint)) {
    throw new Error('KONTOR_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://collector:4318/v1/traces');
  }
  const rawRatio = env.KONTOR_TRACE_SAMPLE_RATIO;
  const sampleRatio = rawRatio === undefined || rawRatio === '' ? 1 : Number(rawRatio);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) {
    throw new Error(`KONTOR_TRACE_SAMPLE_RATIO must be a number from 0 to 1, got "${rawRatio}"`);
  }
  const headers: Record<string, string> = {};
  for (const pair of (env.KONTOR_OTLP_HEADERS ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw new Error('KONTOR_OTLP_HEADERS must be name=value pairs separated by commas');
    headers[name.toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return Object.freeze({
    endpoint,
    serviceName: env.KONTOR_TRACE_SERVICE_NAME || 'kontor',
    sampleRatio,
    secretHeaders: Object.freeze(headers),
  });
}
