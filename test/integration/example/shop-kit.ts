import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../examples/shop/src/main.js', import.meta.url));

export interface RunningShop {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts examples/shop as its own process, exactly as `npm start` in its package does, on a
 * free port; resolves once it printed where it listens.
 */
export async function startShop(env: Record<string, string>): Promise<RunningShop> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', SHOP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /Shop listens on (\S+)/.exec(out);
      if (m?.[1]) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`shop exited (${code}): ${stderr}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Page {
  url: string;
  status: number;
  body: string;
  /** Every URL the browser went through, the first request included. */
  trail: string[];
}

/** A cookie-keeping browser over real HTTP that follows redirects by hand (cookies per origin). */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Page> {
    return this.follow(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Page> {
    return this.follow(url, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** A JSON POST (Kontor's own sign-in API), redirects not followed. */
  async json(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await this.send(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: await res.json() };
  }

  /** Sends one request; redirects are followed as GETs, as a browser does after a 303. */
  private async follow(first: string, init: RequestInit): Promise<Page> {
    const trail: string[] = [];
    let url = first;
    let req = init;
    for (let i = 0; i < 15; i++) {
      trail.push(url);
      const res = await this.send(url, req);
      const loc = res.headers.get('location');
      if (!loc || res.status < 300 || res.status >= 400) {
        return { url, status: res.status, body: await res.text(), trail };
      }
      url = new URL(loc, url).href;
      req = { method: 'GET' };
    }
    throw new Error(`too many redirects: ${trail.join(' → ')}`);
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const { origin } = new URL(url);
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = sc.split(';');
      const i = pair.indexOf('=');
      if (i <= 0) continue;
      const gone = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a)) || pair.slice(i + 1) === '';
      if (gone) jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
}

/** The text of the element with this id on a shop page (HTML entities left as they are). */
export function field(body: string, id: string): string | undefined {
  return new RegExp(`id="${id}">([^<]*)<`).exec(body)?.[1];
}

/** The hidden CSRF token of the shop's forms. */
export function csrfOf(body: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(body);
  if (!m?.[1]) throw new Error(`no form on the page: ${body.slice(0, 300)}`);
  return m[1];
}

/** The JSON shown in the element with this id (the page escapes it). */
export function jsonField(body: string, id: string): unknown {
  const text = field(body, id);
  if (text === undefined || text === '—') return undefined;
  const decoded = text.replace(/&(quot|amp|lt|gt|#39);/g, (_, e: string) =>
    e === 'quot' ? '"' : e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : "'",
  );
  return JSON.parse(decoded);
}
