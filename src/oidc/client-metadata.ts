import type { App } from '../domain/apps.js';

/**
 * oidc-provider's client metadata for an app; undefined for a disabled app (the OP then knows
 * no such client). The client secret is never stored: `client_secret` carries its SHA-256 hash,
 * and the provider compares hashes (see provider.ts). That is sound only because nothing else
 * uses the secret as a key: HS* signing, client_secret_jwt and symmetric encryption are off.
 */
export function clientMetadata(app: App): Record<string, unknown> | undefined {
  if (!app.enabled) return undefined;
  const code = app.grantTypes.includes('authorization_code');
  return {
    client_id: app.id,
    client_name: app.name,
    ...(app.secretHash ? { client_secret: app.secretHash } : {}),
    token_endpoint_auth_method: app.authMethod,
    ...(app.jwks ? { jwks: app.jwks } : {}),
    application_type: 'web',
    grant_types: app.grantTypes,
    response_types: code ? ['code'] : [],
    redirect_uris: code ? app.redirectUris : [],
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.backchannelLogoutUri
      ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    // oidc-provider refuses an empty scope and reads a missing one as "any": an app allowed no
    // scope is allowed `openid` alone, which names nobody's data without a person's sign-in.
    scope: app.scopes.length > 0 ? app.scopes.join(' ') : 'openid',
    // Kontor-specific metadata, read by the interaction (skip consent) and by claims.
    'urn:kontor:first_party': app.firstParty,
    'urn:kontor:tenant_id': app.tenantId,
  };
}
