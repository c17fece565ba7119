import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';

/** What the rogue provider does wrong in its next ID token. */
export type RogueMode =
  | 'ok'
  | 'alg-none'
  | 'hs256-public-key'
  | 'expired'
  | 'wrong-aud'
  | 'iat-future'
  | 'other-sub-userinfo';

/**
 * A deliberately misbehaving OpenID provider: a real HTTP server that answers discovery, JWKS,
 * authorization, token and userinfo, but forges the ID token as `mode` says. The refusals that
 * a well-behaved provider (oidc-provider) will not produce are tested against it.
 */
export async function startRogueOp(clientId: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig', alg: 'RS256' };
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rogue`;
  let mode: RogueMode = 'ok';
  let sub = 'rogue-user';
  let nonce = '';

  async function idToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub,
      aud: mode === 'wrong-aud' ? 'someone-else' : clientId,
      nonce,
      iat: mode === 'expired' ? now - 7200 : mode === 'iat-future' ? now + 3600 : now,
      exp: mode === 'expired' ? now - 3600 : now + 300,
    };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    if (mode === 'alg-none') return `${b64({ alg: 'none' })}.${b64(claims)}.`;
    if (mode === 'hs256-public-key') {
      // The classic confusion: an HMAC keyed with the provider's public key.
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'r1' })
        .sign(new TextEncoder().encode(publicPem));
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'r1' }).sign(privateKey);
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
    const path = url.pathname.replace(/^\/rogue/, '');
    if (path === '/.well-known/openid-configuration') {
      return json({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') return json({ keys: [jwk] });
    if (path === '/auth') {
      nonce = url.searchParams.get('nonce') ?? '';
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', 'rogue-code');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (path === '/token') {
      idToken().then((id_token) => json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token }));
      return;
    }
    if (path === '/userinfo') return json({ sub: mode === 'other-sub-userinfo' ? 'somebody-else' : sub });
    res.writeHead(404).end();
  });

  return {
    issuer,
    set(m: RogueMode, s = 'rogue-user') {
      mode = m;
      sub = s;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
