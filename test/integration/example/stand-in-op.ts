import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import Provider, { interactionPolicy } from 'oidc-provider';

/**
 * A stand-in for Kontor's OpenID Provider while the real one is built (issue 15): panva's
 * oidc-provider on 127.0.0.1 with Kontor's issuer path (/oidc), scopes and claims, its `tenant`
 * authorization parameter, back-channel logout, client credentials with JWT access tokens, and
 * a `POST /api/v1/check` that verifies such a token offline. It is not Kontor: people, tenants
 * and answers are whatever the test declares.
 */

export interface StandInTenant {
  id: string;
  slug: string;
  kind: string;
  roles: string[];
  permissions: string[];
  /** Set when the person acts here through a share or an MSP link. */
  home?: { id: string; slug: string };
  /** The OP wants her to sign in again before acting here (prompt=none answers login_required). */
  needsSignIn?: boolean;
}

export interface StandInPerson {
  name: string;
  email: string;
  emailVerified: boolean;
  tenants: StandInTenant[];
}

export interface StandInOp {
  issuer: string;
  /** The origin standing in for Kontor's API (/api/v1/check). */
  kontorUrl: string;
  /** The private signing key (tests build logout tokens with it through jose). */
  signingKey: JWK;
  addPerson(sub: string, person: StandInPerson): void;
  /** Who signs in at the next interaction (sign-in and consent are granted at once). */
  loginAs(sub: string): void;
  addClient(c: { clientId: string; clientSecret: string; baseUrl: string }): void;
  /** Authorization requests as they arrived (their query), and finished interactions. */
  authorizationRequests: URLSearchParams[];
  interactions(): number;
  /** What /check was asked, and the answer to give (a status other than 200 answers an error). */
  checks: { body: unknown; clientId: unknown }[];
  checkAnswer: { status: number; body: unknown };
  /** The OP's own back-channel logout to a client (as when Kontor locks a person). */
  backchannelLogout(clientId: string, sub: string, sid: string): Promise<void>;
  close(): Promise<void>;
}

const key = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'k1' };
const publicJwk = (({ kty, n, e, kid }) => ({ kty, n, e, kid, alg: 'RS256', use: 'sig' }))(key) as JWK;

export async function startStandInOp(): Promise<StandInOp> {
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/oidc`;
  const people = new Map<string, StandInPerson>();
  const clients: Record<string, unknown>[] = [];
  // The tenant asked for, by the request's nonce: codes and refresh tokens keep the nonce, so
  // findAccount knows which tenant a token is for (Kontor keeps it with the grant instead).
  const tenantByNonce = new Map<string, string>();
  const op: StandInOp = {
    issuer,
    kontorUrl: origin,
    signingKey: key as JWK,
    addPerson: (sub, p) => void people.set(sub, p),
    loginAs: (sub) => {
      current = sub;
    },
    addClient(c) {
      provider = undefined; // rebuilt with the new client on the next request
      clients.push({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: [`${c.baseUrl}/callback`],
        post_logout_redirect_uris: [`${c.baseUrl}/`],
        backchannel_logout_uri: `${c.baseUrl}/backchannel-logout`,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    },
    authorizationRequests: [],
    interactions: () => interactions,
    checks: [],
    checkAnswer: { status: 200, body: { allowed: true } },
    async backchannelLogout(clientId, sub, sid) {
      const client = await built().Client.find(clientId);
      await client.backchannelLogout(sub, sid);
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  let current = '';
  let interactions = 0;
  let provider: InstanceType<typeof Provider> | undefined;

  const tenantOf = (sub: string, slug: string | undefined) => {
    const tenants = people.get(sub)?.tenants ?? [];
    return slug ? tenants.find((t) => t.slug === slug) : tenants[0];
  };

  const built = () => {
    provider ??= build();
    return provider;
  };

  function build() {
    const policy = interactionPolicy.base();
    // Kontor asks for a sign-in before acting in some tenants; prompt=none then fails.
    policy.get('login').checks.add(
      new interactionPolicy.Check(
        'tenant_sign_in',
        'this tenant needs a sign-in',
        'login_required',
        (ctx: StandInCtx) => {
          const slug = ctx.oidc.params.tenant;
          // Satisfied by the sign-in of this very interaction.
          if (!slug || !ctx.oidc.session?.accountId || ctx.oidc.result?.login) return false;
          const t = tenantOf(ctx.oidc.session.accountId, slug);
          return !t || t.needsSignIn === true;
        },
      ),
    );
    const p = new Provider(issuer, {
      clients,
      jwks: { keys: [{ ...key, use: 'sig' }] },
      cookies: { keys: ['stand-in-cookie-key'] },
      extraParams: ['tenant'],
      scopes: [
        'openid',
        'offline_access',
        'profile',
        'email',
        'kontor.tenant',
        'kontor.permissions',
        'kontor.decisions',
      ],
      claims: {
        openid: ['sub'],
        profile: ['name'],
        email: ['email', 'email_verified'],
        'kontor.tenant': ['tenant', 'home_tenant', 'roles'],
        'kontor.permissions': ['permissions'],
      },
      // The ID token carries the scope claims: the access token is for Kontor's API, not userinfo.
      conformIdTokenClaims: false,
      // A refresh token for every app allowed the grant, also after a silent switch (prompt=none
      // drops offline_access by OIDC Core §11): what the shop expects of Kontor.
      issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(g: string): boolean }) =>
        client.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: true,
      // oidc-provider 9 refuses outgoing calls (back-channel logout) to special-use addresses
      // such as 127.0.0.1 by giving fetch an SSRF-guarding dispatcher; the shop lives there in
      // these tests, so the stand-in drops that dispatcher. Kontor must decide this itself.
      fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
        const { dispatcher: _guard, ...rest } = options;
        return fetch(url, rest);
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => issuer,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'kontor.decisions',
            audience: issuer,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 300, IdToken: 600, RefreshToken: 3600 },
      interactions: { policy, url: (_ctx: unknown, i: { uid: string }) => `/oidc/interaction/${i.uid}` },
      findAccount: async (_ctx: unknown, sub: string, token?: { nonce?: string }) => ({
        accountId: sub,
        claims: async () => {
          const person = people.get(sub);
          const t = tenantOf(sub, token?.nonce ? tenantByNonce.get(token.nonce) : undefined);
          return {
            sub,
            name: person?.name,
            email: person?.email,
            email_verified: person?.emailVerified,
            tenant: t && { id: t.id, slug: t.slug, kind: t.kind },
            home_tenant: t?.home,
            roles: t?.roles,
            permissions: t?.permissions,
          };
        },
      }),
    });
    p.use(async (ctx: { path: string; query: Record<string, string> }, next: () => Promise<void>) => {
      if (ctx.path === '/auth') {
        op.authorizationRequests.push(new URLSearchParams(ctx.query));
        if (ctx.query.nonce) tenantByNonce.set(ctx.query.nonce, ctx.query.tenant ?? '');
      }
      await next();
    });
    return p;
  }

  // The person `loginAs` named signs in at once; a tenant she may not act in is refused.
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const p = built();
    const details = await p.interactionDetails(req, res);
    interactions++;
    const slug = details.params.tenant as string | undefined;
    if (slug && !tenantOf(current, slug)) {
      const to = await p.interactionResult(req, res, {
        error: 'access_denied',
        error_description: `no access to tenant ${slug}`,
      });
      return void res.writeHead(303, { location: to }).end();
    }
    const grant = new p.Grant({ accountId: current, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    grant.addResourceScope(issuer, '');
    const grantId = await grant.save();
    const to = await p.interactionResult(
      req,
      res,
      { login: { accountId: current, amr: ['pwd'] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    res.writeHead(303, { location: to }).end();
  }

  // Kontor's decision API, as far as the shop sees it: the bearer must be a JWT access token of
  // this issuer for its API (verified offline, as docs/connect-your-app.md shows an API doing).
  async function check(req: IncomingMessage, res: ServerResponse) {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let clientId: unknown;
    try {
      const jwks = createLocalJWKSet({ keys: [publicJwk] });
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: issuer, typ: 'at+jwt' });
      clientId = payload.client_id;
    } catch {
      return void res
        .writeHead(401, { 'content-type': 'application/problem+json' })
        .end(JSON.stringify({ status: 401, code: 'auth.unauthenticated', title: 'Sign-in required' }));
    }
    op.checks.push({ body: JSON.parse(Buffer.concat(chunks).toString() || 'null'), clientId });
    const { status, body } = op.checkAnswer;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    const fail = (e: unknown) => res.writeHead(500).end(String(e));
    if (url === '/api/v1/check' && req.method === 'POST') return void check(req, res).catch(fail);
    if (!url.startsWith('/oidc')) return void res.writeHead(404).end();
    if (url.startsWith('/oidc/interaction/')) return void interaction(req, res).catch(fail);
    // Mounted like Express does it: oidc-provider reads the mount path from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice('/oidc'.length) || '/';
    built().callback()(req, res);
  });

  return op;
}

interface StandInCtx {
  oidc: { params: { tenant?: string }; session?: { accountId?: string }; result?: { login?: unknown } };
}
