import { createHmac } from 'node:crypto';
import type { AuthDeps, Principal } from './app/auth/auth-deps.js';
import type { RequestMeta } from './app/context.js';
import { oidcClaims } from './app/oidc/accounts.js';
import { requestedTenantSlug } from './app/oidc/acting-tenant.js';
import { opTokenPrincipal } from './app/oidc/decision-tokens.js';
import { ensureSigningKeys } from './app/oidc/signing-keys.js';
import type { Config } from './config/load-config.js';
import type { SigningKey } from './domain/oidc.js';
import type { SecretBox } from './domain/sso.js';
import { sessionCookieName } from './http/build-server.js';
import { nodeKeyMaker, providerJwks } from './oidc/keys.js';
import { reachFrom, signedInAs } from './oidc/kontor-session.js';
import { BackchannelLogoutWorker } from './oidc/logout-worker.js';
import { OidcService } from './oidc/oidc-service.js';
import { aesGcmSecretBox } from './sso/secret-box.js';

/** The fingerprint format of OidcKeyRepo.fingerprint. */
const fingerprintOf = (keys: readonly SigningKey[]): string =>
  keys.map((k) => `${k.kid}:${k.retiredAt === null ? 'a' : 'r'}`).join(',');

export interface OidcWiring {
  service: OidcService;
  logout: BackchannelLogoutWorker;
  /** The caller behind an OP access token at the decision API (decision 0016). */
  decisionTokens(bearer: string, meta: RequestMeta): Promise<Principal>;
  /** Seals the signing keys (for `kontor keys rotate` in the same process: tests). */
  box: SecretBox;
}

/**
 * Kontor as OpenID Provider on the same database: signing keys made on first start (sealed with
 * the secret key), cookie keys derived from it (every instance signs the OP's cookies alike),
 * sessions resolved as the API resolves them.
 */
export async function wireOidc(
  config: Config,
  deps: AuthDeps,
  secretKey: Buffer,
  fetch: typeof globalThis.fetch,
  opts: { keyCheckMs?: number; onError(message: string, e: unknown): void },
): Promise<OidcWiring> {
  const box = aesGcmSecretBox(secretKey);
  const { store, clock } = deps;
  await ensureSigningKeys({ store, clock, keys: nodeKeyMaker, box });
  const cookieName = sessionCookieName(config.secureCookies);
  const service = await OidcService.start({
    issuer: `${config.publicUrl}/oidc`,
    store,
    clock,
    cookieKeys: [createHmac('sha256', secretKey).update('kontor-oidc-cookies-v1').digest('base64url')],
    accessTokenSeconds: config.oidc.accessTokenSeconds,
    sessionSeconds: config.sessionAbsoluteSeconds,
    proxy: config.trustedProxies.length > 0,
    claims: (userId, tenantId, cameFrom) => oidcClaims(deps, userId, tenantId, cameFrom),
    signedInAs: (req) => signedInAs(deps, cookieName, req),
    reach: (req, tenantId) => reachFrom(deps, cookieName, req, tenantId),
    tenantBySlug: async (slug) => (await store.read((r) => r.tenants.findBySlug(slug)))?.id,
    requestedSlug: requestedTenantSlug,
    fetch,
    async loadKeys() {
      const keys = await store.read((r) => r.oidcKeys.published(clock.now()));
      return { jwks: providerJwks(keys, box.open), fingerprint: fingerprintOf(keys) };
    },
    fingerprint: () => store.read((r) => r.oidcKeys.fingerprint(clock.now())),
    ...(opts.keyCheckMs !== undefined ? { keyCheckMs: opts.keyCheckMs } : {}),
    onError: opts.onError,
  });
  const logout = new BackchannelLogoutWorker({ store, clock, service, onError: opts.onError });
  const verify = (jwt: string, now: Date) => service.verifyAccessToken(jwt, now);
  return { service, logout, box, decisionTokens: (bearer, meta) => opTokenPrincipal(deps, verify, bearer, meta) };
}
