import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** RFC 9457 answer of the API; `detail` is written for people and is what the console shows. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: { field: string; code: string; message: string }[];
}

/** A refused or failed request, carrying the server's problem details (never a stack). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get code(): string {
    return this.problem.code;
  }
}

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

/** Called when the API answers 401 to a signed-in request: the session has ended. */
export function onSessionEnded(handler: () => void): void {
  onSignedOut = handler;
}

/** The session's CSRF token from sign-in or /me; cookie-authenticated writes must carry it. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD'].includes(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  async onResponse({ response }) {
    // Only an ended session; a wrong current password (also 401) must not sign anyone out.
    if (response.status === 401 && csrfToken) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { code?: string } | undefined;
      if (body?.code === 'auth.unauthenticated') onSignedOut?.();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

function toProblem(error: unknown, response: Response): Problem {
  const p = (error ?? {}) as Partial<Problem>;
  if (typeof p.detail === 'string' && typeof p.code === 'string') return { ...p, status: response.status } as Problem;
  return {
    status: response.status,
    code: 'unknown',
    title: response.statusText || 'Request failed',
    detail: `The server answered ${response.status}. Try again; if it persists, ask your operator.`,
  };
}

/** Unwraps an openapi-fetch answer: the data, or an ApiError with the problem details. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let res: { data?: T; error?: unknown; response: Response };
  try {
    res = await call;
  } catch {
    throw new ApiError({
      status: 0,
      code: 'network',
      title: 'No connection',
      detail: 'The server could not be reached. Check your connection and try again.',
    });
  }
  if (!res.response.ok) throw new ApiError(toProblem(res.error, res.response));
  return res.data as T;
}

/**
 * For the few bodies the typed client cannot describe (a CSV upload, a file download): plain
 * fetch with the same CSRF header and the same problem handling.
 */
export async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (csrfToken && init.method && !['GET', 'HEAD'].includes(init.method)) headers.set('x-csrf-token', csrfToken);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError({
      status: 0,
      code: 'network',
      title: 'No connection',
      detail: 'The server could not be reached.',
    });
  }
  if (!res.ok) throw new ApiError(toProblem(await res.json().catch(() => undefined), res));
  return res;
}
