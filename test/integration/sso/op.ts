import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A real OpenID provider (oidc-provider 8) on 127.0.0.1, mounted under a path like a tenant IdP. */
export interface TestOp {
  issuer: string;
  /** Claims of the person who signs in next (besides `sub`). */
  loginAs(sub: string, claims?: Record<string, unknown>): void;
  addClient(c: { clientId: string; clientSecret: string; redirectUri: string; idTokenAlg?: string }): void;
  /** Answers every request with 503 until `resume`: a provider that is down. */
  pause(): void;
  resume(): void;
  /** Requests that reached the provider (paused or not). */
  hits(): number;
  close(): Promise<void>;
}

export interface OpOptions {
  /** Path of the issuer, e.g. `/tid-1234/v2.0` (Entra-like) or `/realms/msp` (Keycloak-like). */
  path: string;
  /** Extra claims announced under the openid scope (Entra: tid, oid). */
  openidClaims?: string[];
}

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

export async function startOp(opts: OpOptions): Promise<TestOp> {
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}${opts.path}`;
  const accounts = new Map<string, Record<string, unknown>>();
  const clients: Record<string, unknown>[] = [];
  let current = '';
  let provider: InstanceType<typeof Provider> | undefined;
  let paused = false;
  let hits = 0;

  const build = () =>
    new Provider(issuer, {
      clients,
      jwks: { keys: [{ ...key, kid: 'k1', use: 'sig' }] },
      cookies: { keys: ['test-cookie-key'] },
      claims: {
        openid: ['sub', ...(opts.openidClaims ?? [])],
        email: ['email', 'email_verified'],
        profile: ['name'],
      },
      // The ID token carries the scope claims too: the app decides on the ID token only.
      conformIdTokenClaims: false,
      enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
      features: { devInteractions: { enabled: false } },
      ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      interactions: { url: (_ctx: unknown, i: { uid: string }) => `${opts.path}/interaction/${i.uid}` },
      findAccount: async (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: async () => ({ sub: id, ...accounts.get(id) }),
      }),
    });

  // Sign-in and consent are granted at once for whoever `loginAs` named: the tests drive the
  // protocol, not a login page.
  async function interaction(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const p = provider as InstanceType<typeof Provider>;
    const details = await p.interactionDetails(req, res);
    const grant = new p.Grant({ accountId: current, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    const to = await p.interactionResult(
      req,
      res,
      { login: { accountId: current }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    res.writeHead(303, { location: to }).end();
  }

  server.on('request', (req, res) => {
    hits++;
    if (paused) return void res.writeHead(503).end();
    provider ??= build();
    const url = req.url ?? '/';
    if (!url.startsWith(opts.path)) return void res.writeHead(404).end();
    if (url.startsWith(`${opts.path}/interaction/`)) {
      interaction(req, res).catch((e) => res.writeHead(500).end(String(e)));
      return;
    }
    // Mounted like Express does it: oidc-provider reads the mount path from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(opts.path.length) || '/';
    provider.callback()(req, res);
  });

  return {
    issuer,
    loginAs(sub, claims = {}) {
      current = sub;
      accounts.set(sub, claims);
    },
    addClient(c) {
      provider = undefined; // rebuilt on the next request with the new client
      clients.push({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: [c.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        ...(c.idTokenAlg ? { id_token_signed_response_alg: c.idTokenAlg } : {}),
      });
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    hits: () => hits,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
