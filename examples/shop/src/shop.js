import { createServer } from 'node:http';
import { AuthorizationResponseError } from 'openid-client';
import { createLogoutTokenVerifier, LogoutTokenError } from './backchannel.js';
import { createKontorClient } from './kontor.js';
import { errorPage, profilePage, signedOutPage } from './pages.js';
import { createSessions } from './sessions.js';

/** Answers after which a silent tenant switch needs the person (OIDC Core §3.1.2.6). */
const NEEDS_PERSON = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);
const MAX_BODY = 64 * 1024;

/**
 * The shop: a plain node:http server. Routes:
 *   GET  /                    who she is, or a sign-in link
 *   GET  /login               starts the authorization request (?tenant=slug&prompt=…)
 *   GET  /callback            Kontor's answer: code → tokens
 *   POST /switch              another tenant, silently (prompt=none), else with sign-in
 *   POST /refresh, /check, /logout
 *   POST /backchannel-logout  Kontor ends a session from its side
 * @param {Readonly<import('./config.js').ShopConfig>} config
 */
export function createShop(config) {
  const kontor = createKontorClient(config);
  const secure = config.publicUrl?.startsWith('https:') ?? false;
  const sessions = createSessions({ secure });
  const issuerOrigin = new URL(config.issuer).origin;
  let baseUrl = config.publicUrl ?? '';
  /** @type {Promise<(token: string) => Promise<{ sub?: string, sid?: string }>> | undefined} */
  let verifier;

  const server = createServer((req, res) => {
    route(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, errorPage(`The shop failed: ${e instanceof Error ? e.message : e}`));
      else res.end();
    });
  });

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function route(req, res) {
    const url = new URL(req.url ?? '/', baseUrl);
    const key = `${req.method} ${url.pathname}`;
    if (key === 'POST /backchannel-logout') return backchannelLogout(req, res);
    if (key === 'GET /') return home(req, res);
    if (key === 'GET /login') {
      const p = url.searchParams;
      return signIn(res, sessions.get(req) ?? sessions.start(res), {
        tenant: p.get('tenant') ?? undefined,
        prompt: p.get('prompt') ?? undefined,
      });
    }
    if (key === 'GET /callback') return callback(req, res, url);
    if (req.method === 'POST' && ['/switch', '/refresh', '/check', '/logout'].includes(url.pathname)) {
      const s = sessions.get(req);
      const form = await readForm(req);
      // The CSRF token proves the form came from our own page.
      if (!s?.user || form.get('csrf') !== s.csrf) return redirect(res, '/');
      if (url.pathname === '/switch') return signIn(res, s, { tenant: form.get('tenant') ?? '', prompt: 'none' });
      if (url.pathname === '/refresh') return refresh(res, s);
      if (url.pathname === '/check') return check(res, s, form.get('permission') ?? '');
      return logout(res, s);
    }
    send(res, 404, errorPage('Not found'));
  }

  function home(req, res) {
    const s = sessions.get(req);
    const notice = s?.notice;
    if (s) s.notice = undefined;
    if (!s?.user) return send(res, 200, signedOutPage({ notice }));
    send(res, 200, profilePage({ user: s.user, csrf: s.csrf, notice, lastCheck: s.lastCheck }));
  }

  /** @param {{ tenant?: string, prompt?: string }} p */
  async function signIn(res, s, { tenant, prompt }) {
    const { url, pending } = await kontor.startSignIn({ redirectUri: `${baseUrl}/callback`, tenant, prompt });
    sessions.addPending(s, pending.state, pending);
    redirect(res, url);
  }

  async function callback(req, res, url) {
    const s = sessions.get(req);
    const pending = s?.pending.get(url.searchParams.get('state') ?? '');
    // No matching state: not a response to a request this browser made (or made twice).
    if (!s || !pending) return send(res, 400, errorPage('This sign-in answer does not belong to this browser.'));
    s.pending.delete(pending.state);
    try {
      const user = await kontor.finishSignIn(url, pending);
      // A new session id at every sign-in: an id planted before it (session fixation) is worthless.
      sessions.end(s.id);
      sessions.start(res).user = user;
    } catch (e) {
      const answer = e instanceof AuthorizationResponseError ? e : undefined;
      // prompt=none could not be honoured silently: ask again, this time showing Kontor's sign-in.
      if (answer && pending.prompt === 'none' && NEEDS_PERSON.has(answer.error)) {
        return signIn(res, s, { tenant: pending.tenant, prompt: 'login' });
      }
      // A refused switch (or a code, token or ID token that failed a check) keeps the current
      // sign-in, if there is one.
      s.notice = answer
        ? `Kontor answered ${answer.error}${answer.error_description ? `: ${answer.error_description}` : ''}`
        : `Sign-in failed: ${messageOf(e)}`;
    }
    redirect(res, '/');
  }

  async function refresh(res, s) {
    if (!s.user.refreshToken) s.notice = 'No refresh token: Kontor issued none for this sign-in.';
    else {
      try {
        s.user = await kontor.refresh(s.user);
        s.notice = 'Tokens refreshed.';
      } catch (e) {
        // A refused refresh (revoked, locked user, reused token) means the sign-in is over.
        sessions.end(s.id);
        return send(res, 200, signedOutPage({ notice: `Refresh refused, signed out: ${messageOf(e)}` }));
      }
    }
    redirect(res, '/');
  }

  async function check(res, s, permission) {
    const { sub, tenant } = s.user.claims;
    try {
      s.lastCheck = await kontor.check({ userId: sub, tenantId: tenant?.id ?? '', permission });
    } catch (e) {
      s.lastCheck = { status: 'not sent', body: messageOf(e) };
    }
    redirect(res, '/');
  }

  async function logout(res, s) {
    // Local session first: whatever happens at Kontor, the shop has forgotten her.
    sessions.end(s.id);
    redirect(res, await kontor.logoutUrl(s.user.idToken, `${baseUrl}/`));
  }

  /** Spec §2.8: 200 when the sessions are gone (or were never here), 400 for an invalid token. */
  async function backchannelLogout(req, res) {
    res.setHeader('cache-control', 'no-store');
    const token = (await readForm(req)).get('logout_token');
    if (!token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'logout_token missing' });
    let who;
    try {
      who = await (await logoutVerifier())(token);
    } catch (e) {
      if (!(e instanceof LogoutTokenError)) throw e;
      return sendJson(res, 400, { error: 'invalid_request', error_description: e.message });
    }
    // With a sid, only that Kontor session ends; with a sub alone, every session of the person.
    sessions.endWhere((u) =>
      who.sid ? u.claims.sid === who.sid && (!who.sub || u.claims.sub === who.sub) : u.claims.sub === who.sub,
    );
    res.writeHead(200).end();
  }

  function logoutVerifier() {
    verifier ??= kontor.rp().then((rp) => {
      const m = rp.serverMetadata();
      return createLogoutTokenVerifier({
        issuer: m.issuer,
        clientId: config.clientId,
        jwksUri: String(m.jwks_uri),
        algorithms: m.id_token_signing_alg_values_supported ?? ['RS256'],
      });
    });
    verifier.catch(() => {
      verifier = undefined;
    });
    return verifier;
  }

  /** @param {import('node:http').ServerResponse} res @param {number} status @param {string} body */
  function send(res, status, body) {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      // Forms post to us; their redirects lead to Kontor (sign-in, switch, logout).
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'`,
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  return {
    server,
    /** Listens; resolves to the shop's public URL. */
    async listen() {
      await new Promise((ok, fail) => server.once('error', fail).listen(config.port, config.host, () => ok(undefined)));
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      baseUrl ||= `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${addr.port}`;
      return baseUrl;
    },
    close: () => new Promise((ok) => server.close(() => ok(undefined))),
  };
}

const messageOf = (/** @type {unknown} */ e) => (e instanceof Error ? e.message : String(e));

/** @param {import('node:http').ServerResponse} res @param {string} to */
function redirect(res, to) {
  res.writeHead(303, { location: to, 'cache-control': 'no-store' }).end();
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A urlencoded body, at most 64 KiB. @param {import('node:http').IncomingMessage} req */
async function readForm(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
