import * as oidc from 'openid-client';
import { AppError } from '../domain/errors.js';
import { ALLOWED_ID_TOKEN_ALGS, type IdClaims, type RelyingParty, type SsoConnection } from '../domain/sso.js';

export interface RelyingPartyOptions {
  /** Opens a connection's sealed client secret (null: a public client with PKCE only). */
  clientSecret(connectionId: string): Promise<string | null>;
  /** Plain-http providers, for tests on 127.0.0.1 only; never reachable from configuration. */
  allowInsecureHttp?: boolean;
  /** Seconds an `iat` may lie ahead of our clock; openid-client only refuses old ones. */
  iatSkewSeconds?: number;
  now?: () => number;
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
  const cache = new Map<string, Promise<oidc.Configuration>>();
  const now = opts.now ?? Date.now;

  async function discover(c: SsoConnection): Promise<oidc.Configuration> {
    const secret = await opts.clientSecret(c.id);
    // Pinning is an allow-list (array, openid-client 6.9); `none` and HS* can never get in.
    const algs = c.idTokenAlgs.filter((a) => ALLOWED_ID_TOKEN_ALGS.includes(a));
    const metadata = { id_token_signed_response_alg: algs as unknown as string };
    const execute = [oidc.enableNonRepudiationChecks, ...(opts.allowInsecureHttp ? [oidc.allowInsecureRequests] : [])];
    // The discovered issuer must equal the configured one exactly (a trailing slash differs).
    return oidc.discovery(
      new URL(c.issuer),
      c.clientId,
      metadata,
      secret === null ? oidc.None() : oidc.ClientSecretPost(secret),
      { execute, timeout: 10 },
    );
  }

  function configFor(c: SsoConnection): Promise<oidc.Configuration> {
    // Keyed by version: a changed issuer, client or secret bumps it and discovers afresh.
    const key = `${c.id}:${c.version}`;
    let p = cache.get(key);
    if (!p) {
      p = discover(c);
      p.catch(() => cache.delete(key));
      cache.set(key, p);
    }
    return p;
  }

  return {
    randomVerifier: () => oidc.randomPKCECodeVerifier(),
    async endSessionUrl(c, postLogoutRedirectUri) {
      const config = await configFor(c).catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri }).href;
    },
    async begin(c, p) {
      const config = await configFor(c).catch((e) => {
        throw rejected('discovery_failed', reasonOf(e).message);
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
