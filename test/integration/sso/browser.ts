import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A cookie-keeping browser: Kontor through inject (its public URL is never dialled), the
 * providers over real HTTP. Redirects are followed by hand so a test can stop at the callback.
 */
export class Browser {
  readonly kontor = new Map<string, string>();
  private readonly op = new Map<string, Map<string, string>>();

  constructor(private readonly app: FastifyInstance) {}

  async kontorGet(url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.kontor) });
    for (const c of res.cookies) {
      if (c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0)) this.kontor.delete(c.name);
      else this.kontor.set(c.name, c.value);
    }
    return res;
  }

  async opGet(url: string): Promise<Response> {
    const u = new URL(url);
    const jar = this.op.get(u.host) ?? new Map<string, string>();
    this.op.set(u.host, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(u, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (pair && i > 0) jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }

  /**
   * Start at Kontor, follow the provider until it redirects back; returns the callback path
   * and query, not yet delivered (tests may deliver, replay or misdirect it).
   */
  async toCallback(startUrl: string): Promise<string> {
    const start = await this.kontorGet(startUrl);
    if (start.statusCode !== 302) throw new Error(`start: ${start.statusCode} ${start.body}`);
    return this.followProvider(String(start.headers.location));
  }

  /** Follows the provider's redirects from `url` until it sends the browser back to Kontor. */
  async followProvider(url: string): Promise<string> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      if (next.startsWith('http://127.0.0.1:3000/') || next.startsWith('/api/')) {
        return next.replace('http://127.0.0.1:3000', '');
      }
      const res = await this.opGet(next);
      const loc = res.headers.get('location');
      if (!loc) throw new Error(`provider stopped: ${res.status} ${await res.text()}`);
      next = new URL(loc, next).href;
    }
    throw new Error('too many redirects');
  }

  /** The whole flow; returns Kontor's answer to the callback. */
  async signIn(startUrl: string): Promise<LightMyRequestResponse> {
    return this.kontorGet(await this.toCallback(startUrl));
  }
}
