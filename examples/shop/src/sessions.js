import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * In-memory sessions behind a signed cookie. The cookie holds only a random id; the HMAC (with a
 * key made at start, so a restart signs everybody out) lets us refuse a forged or truncated
 * cookie before any lookup. Fine for an example; a real app keeps sessions in a shared store so
 * several instances (and a back-channel logout reaching any of them) see the same ones.
 *
 * @typedef {object} Session
 * @property {string} id
 * @property {string} csrf    echoed by every form: SameSite=Lax already stops cross-site posts,
 *                            the token also stops same-site ones
 * @property {number} expiresAt
 * @property {Map<string, object>} pending  sign-ins under way, by their `state`
 * @property {object} [user]  the signed-in person: claims and tokens
 * @property {string} [notice]  shown once on the next page
 * @property {object} [lastCheck]
 */

const MAX_AGE_SECONDS = 8 * 3600;
const MAX_PENDING = 5;

/** @param {{ cookieName?: string, secure?: boolean }} [opts] */
export function createSessions({ cookieName = 'shop_session', secure = false } = {}) {
  const key = randomBytes(32);
  /** @type {Map<string, Session>} */
  const store = new Map();
  const sign = (/** @type {string} */ id) => createHmac('sha256', key).update(id).digest('base64url');

  /** @param {import('node:http').IncomingMessage} req */
  function idFrom(req) {
    const raw = cookieValue(req.headers.cookie, cookieName);
    const [id, mac] = raw?.split('.') ?? [];
    if (!id || !mac) return undefined;
    const want = Buffer.from(sign(id));
    const got = Buffer.from(mac);
    return want.length === got.length && timingSafeEqual(want, got) ? id : undefined;
  }

  return {
    /** The request's live session, if any. */
    get(/** @type {import('node:http').IncomingMessage} */ req) {
      const id = idFrom(req);
      const s = id ? store.get(id) : undefined;
      if (s && s.expiresAt < Date.now()) store.delete(s.id);
      return s && s.expiresAt >= Date.now() ? s : undefined;
    },

    /** A new session; its cookie is set on `res`. */
    start(/** @type {import('node:http').ServerResponse} */ res) {
      const id = randomBytes(24).toString('base64url');
      /** @type {Session} */
      const s = {
        id,
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: Date.now() + MAX_AGE_SECONDS * 1000,
        pending: new Map(),
      };
      store.set(id, s);
      const attrs = `Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`;
      res.setHeader('set-cookie', `${cookieName}=${id}.${sign(id)}; ${attrs}`);
      return s;
    },

    /** Remembers a sign-in under way; the oldest goes when a visitor opens too many. */
    addPending(/** @type {Session} */ s, /** @type {string} */ state, /** @type {object} */ pending) {
      s.pending.set(state, pending);
      if (s.pending.size > MAX_PENDING) s.pending.delete(s.pending.keys().next().value);
    },

    end(/** @type {string} */ id) {
      store.delete(id);
    },

    /** Ends every session whose person matches; returns how many ended. */
    endWhere(/** @type {(user: any) => boolean} */ match) {
      let n = 0;
      for (const s of store.values()) {
        if (s.user && match(s.user)) {
          store.delete(s.id);
          n++;
        }
      }
      return n;
    },
  };
}

/**
 * @param {string | undefined} header
 * @param {string} name
 */
function cookieValue(header, name) {
  for (const part of header?.split(';') ?? []) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
