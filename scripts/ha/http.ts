/** One HTTP answer as the load clients see it; status 0 means no answer (refused, reset, timed out). */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, read by the checks
  body: any;
  headers: Headers;
  error?: string;
}

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
}

export async function call(base: string, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body, headers: res.headers };
  } catch (e) {
    return { status: 0, body: null, headers: new Headers(), error: e instanceof Error ? e.message : String(e) };
  }
}

/** Seconds to wait before a retry: the server's Retry-After, capped, or a short default. */
export function retryDelayMs(a: Answer, capMs = 1000): number {
  const ra = Number(a.headers.get('retry-after'));
  return Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, capMs) : 250;
}

export function expectStatus(a: Answer, status: number, what: string): void {
  if (a.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${a.status} ${a.error ?? JSON.stringify(a.body)}`);
  }
}
