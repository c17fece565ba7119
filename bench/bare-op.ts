import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type OidcContext } from 'oidc-provider';

/**
 * The peer of Kontor's token endpoint: panva's oidc-provider (the same major Kontor runs on)
 * with its in-memory adapter and static clients, configured for the same work per token — JWT
 * client-credentials tokens signed ES256 (RFC 9068), rotated refresh tokens, an ID token with
 * the same claims — and nothing Kontor adds (database, tenants, hashed secrets).
 */
export interface BareOp {
  issuer: string;
  close(): Promise<void>;
}

const jwk = (type: 'ec' | 'rsa', alg: string, kid: string) => ({
  ...(type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  ).privateKey.export({ format: 'jwk' }),
  alg,
  kid,
  use: 'sig',
});

export async function startBareOp(client: { clientId: string; clientSecret: string; redirectUri: string }) {
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
  const claims = {
    name: 'Bench User',
    email: 'bench@example.com',
    email_verified: true,
    tenant: { id: 't1', slug: 'bench', kind: 'consumer' },
    roles: ['CustomerBasic'],
    permissions: ['shop.use'],
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk('ec', 'ES256', 'e1'), jwk('rsa', 'RS256', 'r1')] },
    cookies: { keys: ['bench-cookie-key'] },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      'kontor.tenant': ['tenant', 'roles'],
      'kontor.permissions': ['permissions'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'kontor.tenant', 'kontor.permissions'],
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: OidcContext, _client: unknown, oneOf?: string[]) => oneOf ?? issuer,
        useGrantedResource: async () => false,
        getResourceServerInfo: async () => ({
          scope: 'kontor.tenant kontor.permissions',
          audience: issuer,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    ttl: {
      AccessToken: 300,
      ClientCredentials: 300,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (
      _ctx: OidcContext,
      c: { grantTypeAllowed(t: string): boolean },
      code: { scopes: Set<string> },
    ) => c.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    interactions: { url: (_ctx: OidcContext, i: { uid: string }) => `/oidc/interaction/${i.uid}` },
    findAccount: async (_ctx: OidcContext, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, ...claims }),
    }),
    extraTokenClaims: async () => ({ tenant: claims.tenant }),
  });

  // The person signs in at once: the benchmark needs refresh tokens, not a login page.
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: 'bench-user', clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    grant.addResourceScope(issuer, 'kontor.tenant kontor.permissions');
    const grantId = await grant.save();
    const to = await provider.interactionResult(req, res, { login: { accountId: 'bench-user' }, consent: { grantId } });
    res.writeHead(303, { location: to }).end();
  }

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/oidc/interaction/')) {
      interaction(req, res).catch((e) => res.writeHead(500).end(String(e)));
      return;
    }
    // Mounted under /oidc as Kontor mounts it (oidc-provider reads the mount from originalUrl).
    req.originalUrl = url;
    req.url = url.slice('/oidc'.length) || '/';
    callback(req, res);
  });
  return { issuer, close: () => new Promise<void>((ok) => server.close(() => ok())) } satisfies BareOp;
}
