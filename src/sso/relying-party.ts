import * as oidc from 'openid-client';
import { AppError } from '../domain/errors.js';
import { ALLOWED_ID_TOKEN_ALGS, type IdClaims, type RelyingParty, type SsoConnection } from '../domain/sso.js';
import { inspect } from './inspect-connection.js';

export interface RelyingPartyOptions {
  /** Opens a connection's sealed client secret (null: a public client with PKCE only). */
  clientSecret(connectionId: string): Promise<string | null>;
  /** Plain-http providers, for tests on 127.0.0.1 only; never reachable from configuration. */
  allowInsecureHttp?: boolean;
  /** Seconds an `iat` may lie ahead of our clock; openid-client only refuses old ones. */
  iatSkewSeconds?: number;
  /** The wall clock `iat` is compared with: the provider's clock is one too. */
  now?: () => number;
  /** Kontor's clock (injected in tests), for how long a failed discovery is remembered. */
  clockNow?: () => number;
  /** The outbound guard's fetch: every call to a provider (discovery, JWKS, token, userinfo). */
  fetch?: typeof fetch;
  /** How long a failed discovery is remembered, so /start does not hammer a dead or refused target. */
  failureSeconds?: number;
}

const rejected = (reason: string, message?: string) =>
  new AppError('sso.rejected', 'The external sign-in was refused', {
    details: { reason, ...(message ? { message: message.slice(0, 200) } : {}) },
  });

/** openid-client's error code (OAUTH_*) or the OP's `error`, never a token or a secret. */
function reasonOf(e: unknown): { reason: string; message?: string } {
  if (e instanceof AppError) throw e;
  const err = e as { code?: unknown; error?: unknown; message?: unknown; cause?: unknown };
  const reason =
    typeof err.error === 'string' ? err.error : typeof err.code === 'string' ? err.code : 'invalid_response';
  // Only names from the cause (which claim, the inner error's text), never its values: they
  // may hold the expected nonce or parts of a token.
  const cause = (err.cause ?? {}) as { claim?: unknown; message?: unknown; code?: unknown };
  const parts = [
    typeof err.message === 'string' ? err.message : undefined,
    typeof cause.claim === 'string' ? `claim ${cause.claim}` : undefined,
    typeof cause.message === 'string' ? cause.message : undefined,
  ].filter((p): p is string => p !== undefined);
  return { reason, ...(parts.length > 0 ? { message: parts.join('; ') } : {}) };
}

/**
 * The OIDC relying party on openid-client 6 (see ../shared/notes/openid-client-6.md). The library
 * does not verify the ID token signature from the token endpoint by default, accepts an `iat`
 * in the future and keeps no state: the non-repudiation checks are switched on, the algorithms
 * pinned per connection, `iat` checked here and state/nonce/PKCE kept by the caller.
 */
export function openIdRelyingParty(opts: RelyingPartyOptions): RelyingParty {
  const cache = new Map<string, { p: Promise<oidc.Configuration>; failedAt?: number }>();
  const now = opts.now ?? Date.now;
  const cacheNow = opts.clockNow ?? now;
  const failureMs = (opts.failureSeconds ?? 60) * 1000;
  const discoveryOptions = () => {
    const execute = [oidc.enableNonRepudiationChecks, ...(opts.allowInsecureHttp ? [oidc.allowInsecureRequests] : [])];
    return { execute, timeout: 10, ...(opts.fetch ? { [oidc.customFetch]: opts.fetch as oidc.CustomFetch } : {}) };
  };

  async function discover(c: SsoConnection): Promise<oidc.Configuration> {
    const secret = await opts.clientSecret(c.id);
    // Pinning is an allow-list (array, openid-client 6.9); `none` and HS* can never get in.
    const algs = c.idTokenAlgs.filter((a) => ALLOWED_ID_TOKEN_ALGS.includes(a));
    const metadata = { id_token_signed_response_alg: algs as unknown as string };
    // The discovered issuer must equal the configured one exactly (a trailing slash differs).
    // customFetch given to discovery is kept by the Configuration for JWKS, token and userinfo.
    return oidc.discovery(
      new URL(c.issuer),
      c.clientId,
      metadata,
      secret === null ? oidc.None() : oidc.ClientSecretPost(secret),
      discoveryOptions(),
    );
  }

  function configFor(c: SsoConnection): Promise<oidc.Configuration> {
    // Keyed by version: a changed issuer, client or secret bumps it and discovers afresh.
    const key = `${c.id}:${c.version}`;
    const hit = cache.get(key);
    // A failure is kept for a while: a dead or refused target must not be probed on every /start.
    if (hit && (hit.failedAt === undefined || cacheNow() - hit.failedAt < failureMs)) return hit.p;
    const entry: { p: Promise<oidc.Configuration>; failedAt?: number } = { p: discover(c) };
    entry.p.catch(() => {
      entry.failedAt = cacheNow();
    });
    cache.set(key, entry);
    return entry.p;
  }

  return {
    randomVerifier: () => oidc.randomPKCECodeVerifier(),
    async endSessionUrl(c, postLogoutRedirectUri) {
      const config = await configFor(c).catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri }).href;
    },
    inspect: (c) => inspect(c, discoveryOptions(), opts.fetch ?? fetch),
    async begin(c, p) {
      // One fixed answer for every failing target: no message telling a closed port from a
      // refused address or a timeout (failures are cached, so timing says no more either).
      const config = await configFor(c).catch(() => {
        throw rejected('discovery_failed');
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: p.redirectUri,
        scope: c.scopes.join(' '),
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(p.codeVerifier),
        code_challenge_method: 'S256',
        state: p.state,
        nonce: p.nonce,
      });
      return url.href;
    },
    async complete(c, p) {
      const config = await configFor(c).catch((e) => {
        throw rejected('discovery_failed', reasonOf(e).message);
      });
      try {
        const tokens = await oidc.authorizationCodeGrant(config, new URL(p.callbackUrl), {
          pkceCodeVerifier: p.codeVerifier,
          expectedState: p.state,
          expectedNonce: p.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw rejected('no_id_token');
        if (claims.iat > now() / 1000 + (opts.iatSkewSeconds ?? 60)) throw rejected('iat_in_future');
        if (config.serverMetadata().userinfo_endpoint) {
          // Passing the expected subject makes the library compare userinfo `sub` with it.
          await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        }
        return { ...claims } as IdClaims;
      } catch (e) {
        const r = reasonOf(e);
        throw rejected(r.reason, r.message);
      }
    },
  };
}
