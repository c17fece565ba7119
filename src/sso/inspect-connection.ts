import * as oidc from 'openid-client';
import { AppError } from '../domain/errors.js';
import { ALLOWED_ID_TOKEN_ALGS, type ConnectionCheck, type SsoConnection } from '../domain/sso.js';
import { refusedIn } from './outbound-guard.js';

type DiscoveryOptions = Parameters<typeof oidc.discovery>[4];

/** The key type (JWK `kty`) that signs with each allow-listed algorithm. */
const KTY: Record<string, string> = {
  RS256: 'RSA',
  RS384: 'RSA',
  RS512: 'RSA',
  PS256: 'RSA',
  PS384: 'RSA',
  PS512: 'RSA',
  ES256: 'EC',
  ES384: 'EC',
  EdDSA: 'OKP',
};

const answered = (e: unknown) => {
  const err = e as { code?: unknown; error?: unknown };
  return typeof err.error === 'string' || (typeof err.code === 'string' && err.code.startsWith('OAUTH_'));
};

/**
 * What a demanding administrator wants to know when saving a connection (issue 21 #4), before a
 * person clicks the button: does the provider answer, announce exactly this issuer, offer the
 * code flow with S256, sign ID tokens with an algorithm the connection allows, and publish a key
 * for it. openid-client does discovery and the issuer comparison; the JWKS is fetched through
 * the same guarded fetch. Throws only when there is no provider to talk to at all.
 */
export async function inspect(
  c: Pick<SsoConnection, 'issuer' | 'clientId' | 'idTokenAlgs'>,
  options: DiscoveryOptions,
  guardedFetch: typeof fetch,
): Promise<ConnectionCheck[]> {
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(new URL(c.issuer), c.clientId, undefined, oidc.None(), options);
  } catch (e) {
    if (refusedIn(e)) throw new AppError('sso.issuer_forbidden', 'The issuer is on a network Kontor may not call');
    if (!answered(e)) throw new AppError('sso.issuer_unreachable', 'The issuer could not be reached');
    const err = e as { code?: string; message?: string; cause?: { body?: { issuer?: unknown } } };
    if (err.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
      const announced = typeof err.cause?.body?.issuer === 'string' ? err.cause.body.issuer.slice(0, 500) : '?';
      return [
        { check: 'discovery', ok: true, detail: 'The provider answered with a discovery document' },
        {
          check: 'issuer',
          ok: false,
          detail: `The provider announces the issuer "${announced}", not "${c.issuer}"; enter it exactly (a trailing slash counts)`,
        },
      ];
    }
    return [
      {
        check: 'discovery',
        ok: false,
        detail: `No usable discovery document at ${c.issuer.replace(/\/$/, '')}/.well-known/openid-configuration (${String(err.message ?? err.code).slice(0, 200)})`,
      },
    ];
  }
  const md = config.serverMetadata();
  const checks: ConnectionCheck[] = [
    { check: 'discovery', ok: true, detail: 'The provider answered with a discovery document' },
    { check: 'issuer', ok: true, detail: 'The provider announces exactly this issuer' },
  ];
  const code = md.response_types_supported?.includes('code') ?? false;
  // Discovery may omit the PKCE methods; then only a sign-in tells. Kontor always sends S256.
  const s256 = md.code_challenge_methods_supported;
  checks.push({
    check: 'code_flow',
    ok: code && (s256 === undefined || s256.includes('S256')),
    detail: !code
      ? 'The provider does not offer the authorization code flow'
      : s256 === undefined
        ? 'The code flow is offered; the provider does not say whether it supports PKCE (S256)'
        : s256.includes('S256')
          ? 'The code flow with PKCE (S256) is offered'
          : 'The provider does not support PKCE with S256',
  });
  // OpenID Connect Discovery: RS256 is the default when the list is absent.
  const offered = md.id_token_signing_alg_values_supported ?? ['RS256'];
  const usable = c.idTokenAlgs.filter((a) => ALLOWED_ID_TOKEN_ALGS.includes(a) && offered.includes(a));
  checks.push({
    check: 'algorithms',
    ok: usable.length > 0,
    detail:
      usable.length > 0
        ? `ID tokens can be signed with ${usable.join(', ')}`
        : `The provider signs ID tokens with ${offered.join(', ')}; the connection allows only ${c.idTokenAlgs.join(', ')}`,
  });
  checks.push(await jwksCheck(md.jwks_uri, usable, guardedFetch));
  return checks;
}

async function jwksCheck(uri: string | undefined, algs: string[], guardedFetch: typeof fetch): Promise<ConnectionCheck> {
  if (!uri) return { check: 'jwks', ok: false, detail: 'The discovery document names no jwks_uri' };
  try {
    const res = await guardedFetch(uri, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    if (!res.ok) return { check: 'jwks', ok: false, detail: `The key set at ${uri} answered HTTP ${res.status}` };
    const body = (await res.json()) as { keys?: { kty?: unknown; use?: unknown; alg?: unknown }[] };
    const keys = Array.isArray(body.keys) ? body.keys : [];
    const fits = keys.filter(
      (k) =>
        (k.use === undefined || k.use === 'sig') &&
        algs.some((a) => KTY[a] === k.kty && (k.alg === undefined || k.alg === a)),
    );
    return fits.length > 0
      ? { check: 'jwks', ok: true, detail: `The key set holds ${fits.length} signing key(s) for the allowed algorithms` }
      : { check: 'jwks', ok: false, detail: `The key set at ${uri} holds no signing key for ${algs.join(', ') || 'the allowed algorithms'}` };
  } catch (e) {
    if (refusedIn(e)) return { check: 'jwks', ok: false, detail: 'The key set is on a network Kontor may not call' };
    return { check: 'jwks', ok: false, detail: `The key set at ${uri} could not be read` };
  }
}
