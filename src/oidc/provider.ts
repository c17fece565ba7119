import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import Provider, { errors, interactionPolicy, type OidcContext } from 'oidc-provider';
import type { OidcClaims } from '../app/oidc/accounts.js';
import type { Clock, Store } from '../domain/ports.js';
import { oidcAdapter } from './adapter.js';
import { CLOCK_TOLERANCE_SECONDS, ID_TOKEN_SECONDS } from './lifetimes.js';
import { escapeHtml, simplePage } from './pages.js';

/** Scopes that name claims; `openid` carries `sub` (the Kontor user id). */
export const OIDC_CLAIMS = {
  // How and when the person authenticated ride along with `sub` (issue 15 #4, issue 16 #2): an
  // app can require a second factor from `amr` without asking for it by the claims parameter.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name'],
  email: ['email', 'email_verified'],
  'kontor.tenant': ['tenant', 'home_tenant', 'roles'],
  'kontor.permissions': ['permissions'],
  sid: null,
  iss: null,
} as const;

/** Scopes Kontor's own resource server (the issuer) accepts in a JWT access token. */
export const RESOURCE_SCOPES = ['kontor.tenant', 'kontor.permissions', 'kontor.decisions'];

export interface OidcProviderOptions {
  issuer: string;
  store: Store;
  clock: Clock;
  /** Private signing keys (retired ones verify only). */
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  accessTokenSeconds: number;
  sessionSeconds: number;
  /** Behind the configured proxies: believe X-Forwarded-Proto for cookies and URLs. */
  proxy: boolean;
  /**
   * The claims of a user acting for a tenant now (`cameFrom`: where a person acting through an
   * SSO link came from); undefined when it may not act there.
   */
  claims(userId: string, tenantId: string, cameFrom: string | null): Promise<OidcClaims | undefined>;
  /** The users the Kontor session of a request may act as (its own and SSO-linked); none: not signed in. */
  signedInAs(req: IncomingMessage): Promise<ReadonlySet<string>>;
  /**
   * Whom the Kontor session of a request acts as in a tenant, checked now exactly as the
   * interaction checks a choice (home, share, SSO link); undefined when it may not act there.
   */
  reach(req: IncomingMessage, tenantId: string): Promise<{ userId: string; cameFrom: string | null } | undefined>;
  /** The tenant id for a slug; undefined when unknown. */
  tenantBySlug(slug: string): Promise<string | undefined>;
  /** The tenant an authorization request names (param or login_hint). */
  requestedSlug(params: Record<string, unknown>): string | undefined;
  /** Outbound calls (back-channel logout, private_key_jwt's jwks_uri) through the guard. */
  fetch: typeof globalThis.fetch;
}

interface OidcClientLike {
  clientId: string;
  clientAuthMethod: string;
}

const sha256hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Kontor's OpenID Provider: panva's oidc-provider configured for Kontor. Kontor writes no OAuth
 * or JWT code of its own; it supplies storage, clients (apps), accounts (claims per acting
 * tenant), the sign-in (interaction, see interaction-routes.ts) and the keys.
 */
export function createOidcProvider(o: OidcProviderOptions): Provider {
  const { Check, base } = interactionPolicy;
  const policy = base();
  // The OP's own session follows Kontor's: signed out of Kontor (or now someone else), the app
  // gets the sign-in again, and prompt=none answers login_required.
  policy.get('login').checks.add(
    new Check('kontor_session', 'sign-in to Kontor required', 'login_required', async (ctx: OidcContext) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return Check.REQUEST_PROMPT;
      return (await o.signedInAs(ctx.req)).has(accountId) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  const grantPlace = (grantId: string) => o.store.read((r) => r.oidc.grantPlace(grantId, o.clock.now()));
  const readClaimsOfGrant = async (accountId: string, grantId: string) => {
    const place = await grantPlace(grantId);
    return place && o.claims(accountId, place.tenantId, place.homeTenantId);
  };
  // One token request asks twice (findAccount, then extraTokenClaims): read once per request.
  // Keyed by the request's context, so nothing outlives the request that read it.
  const perRequest = new WeakMap<object, Map<string, ReturnType<typeof readClaimsOfGrant>>>();
  const claimsOfGrant = (ctx: OidcContext, accountId: string, grantId: string) => {
    const seen = perRequest.get(ctx) ?? new Map<string, ReturnType<typeof readClaimsOfGrant>>();
    perRequest.set(ctx, seen);
    const key = `${accountId} ${grantId}`;
    const claims = seen.get(key) ?? readClaimsOfGrant(accountId, grantId);
    seen.set(key, claims);
    return claims;
  };
  // offline_access counts when the code carries it, or when the grant does: a silent switch
  // (prompt=none, where OIDC Core §11 drops offline_access from the request) keeps what the
  // person's sign-in granted, so the app gets a refresh token like after a normal sign-in.
  const offline = (ctx: OidcContext, code: { scopes: Set<string> }): boolean =>
    code.scopes.has('offline_access') ||
    String(ctx.oidc.entities?.Grant?.getOIDCScope?.() ?? '')
      .split(' ')
      .includes('offline_access');

  const provider = new Provider(o.issuer, {
    adapter: oidcAdapter(o.store, o.clock),
    jwks: o.jwks,
    cookies: { keys: o.cookieKeys },
    claims: OIDC_CLAIMS,
    scopes: ['openid', 'offline_access', 'profile', 'email', 'kontor.tenant', 'kontor.permissions', 'kontor.decisions'],
    // Apps read who signed in from the ID token: it carries the claims of the granted scopes.
    conformIdTokenClaims: false,
    extraParams: ['tenant'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // No symmetric algorithms anywhere: the stored "secret" is a hash (see client-metadata.ts).
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    },
    responseTypes: ['code'],
    pkce: { required: (_ctx: OidcContext, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none' },
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // An app's API introspects tokens other apps present to it: confidential apps may; a
      // public app (no secret: anyone could be it) only its own tokens.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: OidcContext, caller: OidcClientLike, token: { clientId?: string }) =>
          caller.clientAuthMethod !== 'none' || token.clientId === caller.clientId,
      },
      // Only the app a token was issued to may revoke it.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: OidcContext, caller: OidcClientLike, token: { clientId?: string }) =>
          token.clientId === caller.clientId,
      },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: OidcContext, form: string) => {
          ctx.type = 'html';
          ctx.body = simplePage(
            'Sign out',
            ['Do you want to sign out of the app?'],
            `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx: OidcContext) => {
          ctx.type = 'html';
          ctx.body = simplePage('Signed out', ['You are signed out of the app.']);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Kontor itself is the default resource: without `openid` (or with resource=<issuer> at
        // the token endpoint) the access token is a JWT (RFC 9068) an app's API verifies offline;
        // with openid and no resource it is the opaque token for userinfo.
        defaultResource: async (_ctx: OidcContext, _client: unknown, oneOf?: string[]) => oneOf ?? o.issuer,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: OidcContext, resource: string) => {
          if (resource !== o.issuer) throw new errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPES.join(' '),
            audience: o.issuer,
            accessTokenTTL: o.accessTokenSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: o.accessTokenSeconds,
      ClientCredentials: o.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_SECONDS,
      Interaction: 600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Session: o.sessionSeconds,
    },
    // Every refresh rotates; a rotated token used again revokes the whole grant (reuse detection).
    rotateRefreshToken: true,
    issueRefreshToken: async (
      ctx: OidcContext,
      client: { grantTypeAllowed(t: string): boolean },
      code: { scopes: Set<string> },
    ) => client.grantTypeAllowed('refresh_token') && offline(ctx, code),
    expiresWithSession: async (ctx: OidcContext, code: { scopes: Set<string> }) => !offline(ctx, code),
    clientBasedCORS: (_ctx: OidcContext, origin: string, client: { redirectUris?: string[] }) =>
      (client.redirectUris ?? []).some((u) => {
        try {
          return new URL(u).origin === origin;
        } catch {
          return false;
        }
      }),
    interactions: {
      policy,
      url: (_ctx: OidcContext, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}`,
    },
    findAccount: async (ctx: OidcContext, sub: string, token?: { grantId?: string }) => {
      // At the authorization endpoint (no token) the person is checked by the login policy and
      // loadExistingGrant; every token request reads the claims of the grant's tenant now.
      if (!token?.grantId) return { accountId: sub, claims: async () => ({ sub }) };
      const claims = await claimsOfGrant(ctx, sub, token.grantId);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => claims };
    },
    extraTokenClaims: async (ctx: OidcContext, token: { accountId?: string; grantId?: string; kind: string }) => {
      if (!token.accountId || !token.grantId) return undefined;
      const claims = await claimsOfGrant(ctx, token.accountId, token.grantId);
      return claims ? { tenant: claims.tenant } : undefined;
    },
    loadExistingGrant: (ctx: OidcContext) => loadExistingGrant(o, ctx),
    renderError: async (ctx: OidcContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = simplePage('The app’s sign-in failed', [
        out.error_description ?? out.error ?? 'The request could not be processed.',
        `Error: ${escapeHtml(out.error ?? 'server_error')}`,
      ]);
    },
    fetch: o.fetch,
  });
  provider.proxy = o.proxy;
  // The app's secret is stored as its SHA-256 (hex) only: compare hashes, in constant time.
  provider.Client.prototype.compareClientSecret = async function compare(
    this: { clientSecret?: string },
    actual: string,
  ) {
    const stored = this.clientSecret;
    if (typeof stored !== 'string' || typeof actual !== 'string') return false;
    const a = Buffer.from(sha256hex(actual));
    const b = Buffer.from(stored);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  return provider;
}

/**
 * The grant for this authorization without asking anything: the one the interaction just made;
 * else the session's grant for the app when it still acts for the requested tenant (or none was
 * requested) as the same person; else, when the request names another tenant where this
 * browser's Kontor session may act (home, a share, an SSO link — checked now, as the
 * interaction would), a new grant for it with the scopes already granted, so `prompt=none` with
 * another tenant works silently. Through an SSO link the person acts as the user linked there
 * (the MSP switch): the OP session's account follows, as Kontor's own switch does, with a new
 * session id. Anything else (signed out of Kontor, a tenant without user, link or share) goes to
 * the interaction, or with prompt=none fails: a tenant without access is never issued.
 */
async function loadExistingGrant(o: OidcProviderOptions, ctx: OidcContext) {
  const { provider, client, session, params, result } = ctx.oidc;
  const resultGrant = result?.consent?.grantId;
  if (resultGrant) return provider.Grant.find(resultGrant);
  const grantId = session.grantIdFor(client.clientId);
  const grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (!grant) return undefined;
  const current = await o.store.read((r) => r.oidc.grantPlace(grant.jti, o.clock.now()));
  if (!current) return undefined;
  const slug = o.requestedSlug(params);
  const wanted = slug ? await o.tenantBySlug(slug) : current.tenantId;
  if (!wanted) return undefined;
  const reach = await o.reach(ctx.req, wanted);
  if (!reach) return undefined;
  const same =
    reach.userId === grant.accountId && wanted === current.tenantId && reach.cameFrom === current.homeTenantId;
  if (!same) {
    // A third-party app's consent names one tenant (and account): another one is asked for again
    // (the interaction, or consent_required with prompt=none), never carried over silently.
    const app = await o.store.read((r) => r.apps.findById(client.clientId));
    if (!app?.firstParty) return undefined;
  }
  if (reach.userId !== session.accountId) {
    // Only the same person moves on: the Kontor session acts as the OP session's account too
    // (its own user or a linked one). Someone else signed in to Kontor in this browser gets
    // the login prompt, never the grant (and consent) of the previous account.
    if (!(await o.signedInAs(ctx.req)).has(session.accountId)) return undefined;
    session.loginAccount({
      accountId: reach.userId,
      loginTs: session.loginTs,
      amr: session.amr,
      acr: session.acr,
      transient: session.transient,
    });
    session.resetIdentifier();
    ctx.oidc.entity('Account', { accountId: reach.userId, claims: async () => ({ sub: reach.userId }) });
  }
  if (same) return grant;
  const next = new provider.Grant({ accountId: reach.userId, clientId: client.clientId });
  if (grant.openid?.scope) next.addOIDCScope(grant.openid.scope);
  if (grant.openid?.claims) next.addOIDCClaims(grant.openid.claims);
  for (const [resource, scope] of Object.entries((grant.resources ?? {}) as Record<string, string>)) {
    next.addResourceScope(resource, scope);
  }
  const id = await next.save();
  await o.store.read((r) => r.oidc.setGrantTenant(id, wanted, reach.cameFrom));
  return next;
}
