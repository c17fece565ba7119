import { resolve } from 'node:path';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly dbSchema: string | undefined;
  readonly rolesFile: string;
  readonly appPermissionsFile: string;
  readonly providerSlug: string;
  readonly providerName: string;
  readonly adminLogin: string;
  readonly sessionIdleSeconds: number;
  readonly sessionAbsoluteSeconds: number;
  readonly logLevel: string;
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
  /** How long a started SSO sign-in may take at the provider. */
  readonly ssoFlowSeconds: number;
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
    dbSchema: schema,
    rolesFile: resolve(cwd, env.KONTOR_ROLES_FILE || 'config/roles.yaml'),
    appPermissionsFile: resolve(cwd, env.KONTOR_APP_PERMISSIONS_FILE || 'config/app-permissions.yaml'),
    providerSlug: slug,
    providerName: env.KONTOR_PROVIDER_NAME || 'Provider',
    adminLogin: env.KONTOR_ADMIN_LOGIN || 'admin',
    sessionIdleSeconds: int(env, 'KONTOR_SESSION_IDLE_SECONDS', 30 * 60, 60, 86400 * 30),
    sessionAbsoluteSeconds: int(env, 'KONTOR_SESSION_ABSOLUTE_SECONDS', 12 * 3600, 60, 86400 * 90),
    logLevel: env.KONTOR_LOG_LEVEL || 'info',
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
    ssoFlowSeconds: int(env, 'KONTOR_SSO_FLOW_SECONDS', 600, 30, 3600),
  });
}
