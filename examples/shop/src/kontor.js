import * as oidc from 'openid-client';

/**
 * Everything the shop asks of Kontor, through openid-client 6 (a certified relying party):
 * discovery, the authorization code flow with PKCE, refresh, logout, and the shop's own
 * client-credentials token for Kontor's decision API.
 */

/** What the shop asks for (see docs/connect-your-app.md for what each brings). */
export const SCOPES = 'openid profile email offline_access kontor.tenant kontor.permissions';

/** What the shop's own client-credentials token asks for: Kontor's decision API. */
export const DECISIONS_SCOPE = 'kontor.decisions';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * openid-client refuses plain http; allow it only for a provider on this machine (the demo).
 * @param {string} url
 */
const insecureOk = (url) => {
  const u = new URL(url);
  return u.protocol === 'http:' && LOOPBACK.has(u.hostname);
};

/** @param {Readonly<import('./config.js').ShopConfig>} config */
export function createKontorClient(config) {
  const options = insecureOk(config.issuer) ? { execute: [oidc.allowInsecureRequests] } : {};
  /** @type {Promise<oidc.Configuration> | undefined} */
  let discovered;
  /** @type {{ token: string, expiresAt: number } | undefined} */
  let machine;

  /** Discovery once, retried on the next request when Kontor was not up yet. */
  function rp() {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        undefined,
        oidc.ClientSecretBasic(config.clientSecret),
        options,
      )
      .catch((e) => {
        discovered = undefined;
        throw e;
      });
    return discovered;
  }

  return {
    rp,

    /**
     * An authorization request. `state` binds the answer to this browser, `nonce` the ID token
     * to this request, PKCE the code to this shop; all three stay in the shop's session.
     * @param {{ redirectUri: string, tenant?: string, prompt?: string, loginHint?: string }} p
     */
    async startSignIn({ redirectUri, tenant, prompt, loginHint }) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      /** @type {Record<string, string>} */
      const params = {
        redirect_uri: redirectUri,
        scope: SCOPES,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      // Kontor's own parameter: the slug of the tenant to act in (else Kontor asks, or takes
      // the only one). `login_hint=tenant:<slug>` does the same for libraries that cannot add one.
      if (tenant) params.tenant = tenant;
      // offline_access (a refresh token) counts only with prompt=consent (OIDC Core §11); Kontor
      // shows a first-party app no consent screen, and a silent switch (prompt=none) keeps the
      // refresh token the sign-in granted.
      const prompts = new Set((prompt ?? '').split(' ').filter(Boolean));
      if (!prompts.has('none')) prompts.add('consent');
      params.prompt = [...prompts].join(' ');
      if (loginHint) params.login_hint = loginHint;
      const url = oidc.buildAuthorizationUrl(await rp(), params).href;
      return { url, pending: { verifier, state, nonce, tenant, prompt, redirectUri } };
    },

    /**
     * Redeems the code; checks state, nonce, iss and the ID token (signature, aud, exp).
     * Throws oidc.AuthorizationResponseError when Kontor answered with an error.
     * @param {URL} callbackUrl
     * @param {{ verifier: string, state: string, nonce: string }} pending
     */
    async finishSignIn(callbackUrl, pending) {
      const config = await rp();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      return withClaims(config, tokens);
    },

    /**
     * New tokens for a refresh token. Kontor rotates it: the old one is spent, and reusing it
     * revokes the whole grant — so always keep the new one.
     * @param {{ refreshToken: string, claims: Record<string, any> }} user
     */
    async refresh(user) {
      const config = await rp();
      const tokens = await oidc.refreshTokenGrant(config, user.refreshToken);
      return withClaims(config, tokens, user);
    },

    /**
     * RP-initiated logout: Kontor ends its session (and tells the other apps by back-channel).
     * @param {string | undefined} idToken
     * @param {string} postLogoutRedirectUri  registered exactly with the app
     */
    async logoutUrl(idToken, postLogoutRedirectUri) {
      /** @type {Record<string, string>} */
      const params = { post_logout_redirect_uri: postLogoutRedirectUri };
      if (idToken) params.id_token_hint = idToken;
      return oidc.buildEndSessionUrl(await rp(), params).href;
    },

    /**
     * POST /api/v1/check with the shop's own client-credentials token (scope kontor.decisions,
     * cached until shortly before it expires; dropped when Kontor refuses it, e.g. after the
     * app's secret was rotated). Returns Kontor's answer as it came, error or not.
     * @param {{ userId: string, tenantId: string, permission: string }} query
     */
    async check(query) {
      const token = await machineToken();
      const res = await fetch(`${config.kontorUrl}/api/v1/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(query),
      });
      if (res.status === 401) machine = undefined;
      const text = await res.text();
      /** @type {unknown} */
      let body = text;
      try {
        body = JSON.parse(text);
      } catch {}
      return { status: res.status, body };
    },
  };

  async function machineToken() {
    if (machine && machine.expiresAt > Date.now() + 30_000) return machine.token;
    const server = (await rp()).serverMetadata();
    const m = new oidc.Configuration(
      server,
      config.machineClientId,
      undefined,
      oidc.ClientSecretBasic(config.machineClientSecret),
    );
    if (insecureOk(config.issuer)) oidc.allowInsecureRequests(m);
    // Scope kontor.decisions, no `resource`: Kontor's default resource is its own API, so the
    // token is a JWT (audience: the issuer) that /check verifies; the app must be allowed the
    // scope and the client_credentials grant (docs/connect-your-app.md, 10).
    const t = await oidc.clientCredentialsGrant(m, { scope: DECISIONS_SCOPE });
    machine = { token: t.access_token, expiresAt: Date.now() + (t.expires_in ?? 60) * 1000 };
    return machine.token;
  }
}

/**
 * The person as the shop keeps her. Kontor puts the scope claims (tenant, roles, permissions…)
 * in the ID token; should an ID token lack them, the userinfo endpoint is asked once.
 * @param {oidc.Configuration} config
 * @param {Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>} tokens
 * @param {{ claims: Record<string, any>, refreshToken?: string, idToken?: string }} [previous]
 */
async function withClaims(config, tokens, previous) {
  /** @type {Record<string, any>} */
  let claims = { ...(tokens.claims() ?? previous?.claims ?? {}) };
  let userinfoError;
  if (claims.tenant === undefined && tokens.scope?.split(' ').includes('kontor.tenant')) {
    try {
      claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)) };
    } catch (e) {
      userinfoError = e instanceof Error ? e.message : String(e);
    }
  }
  return {
    claims,
    userinfoError,
    scope: tokens.scope,
    accessToken: tokens.access_token,
    idToken: tokens.id_token ?? previous?.idToken,
    // Without a new one, the old refresh token was not rotated (or none was ever issued).
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    expiresAt: Date.now() + (tokens.expires_in ?? 0) * 1000,
  };
}
