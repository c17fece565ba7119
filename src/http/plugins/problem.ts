import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, type FieldError, isAppError } from '../../domain/errors.js';

/**
 * RFC 9457 body. No `instance` in it, and a request id only in 5xx answers: equal refusals
 * answer byte-identically (docs/decisions/0021-tracing.md).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  /** 5xx only: the request id of the log lines and the trace of this failure (x-request-id). */
  requestId?: string;
}

export const problemType = (code: string): string => `urn:kontor:problem:${code}`;

function fromAppError(e: AppError): Problem {
  const { status, title } = ERROR_CODES[e.code];
  return {
    type: problemType(e.code),
    title,
    status,
    detail: e.message,
    code: e.code,
    ...(e.errors ? { errors: e.errors } : {}),
  };
}

const fieldOf = (path: string, fallback: string): string => path.replace(/^\//, '').replaceAll('/', '.') || fallback;

// Parser errors are the client's fault and answer 4xx; anything unknown is a 500 without detail.
const PARSER: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['request.too_large', 'The request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['request.unsupported_media_type', 'Send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['validation.invalid', 'The Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['validation.invalid', 'The JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['validation.invalid', 'The body is not valid JSON'],
};

const BY_STATUS: Record<number, ErrorCode> = {
  401: 'auth.unauthenticated',
  403: 'auth.forbidden',
  404: 'resource.not_found',
  413: 'request.too_large',
  415: 'request.unsupported_media_type',
  429: 'auth.throttled',
};

/** Fastify's validation contexts in words: "The params is invalid" read badly. */
const PART: Record<string, string> = {
  body: 'The request body',
  params: 'A path parameter',
  querystring: 'A query parameter',
  headers: 'A request header',
};

export function toProblem(err: unknown): Problem {
  if (isAppError(err)) return fromAppError(err);
  const e = err as FastifyError & { validationContext?: string };
  if (Array.isArray(e.validation)) {
    const context = e.validationContext ?? 'body';
    const errors = e.validation.map((v) => ({
      field: fieldOf(v.instancePath ?? '', context),
      code: 'schema',
      message: v.message ?? 'Invalid value',
    }));
    return fromAppError(new AppError('validation.invalid', `${PART[context] ?? 'The request'} is invalid`, { errors }));
  }
  const known = e.code ? PARSER[e.code] : undefined;
  if (known) return fromAppError(new AppError(known[0], known[1]));
  if (e instanceof SyntaxError || e.statusCode === 400)
    return fromAppError(new AppError('validation.invalid', 'The request is malformed'));
  const byStatus = e.statusCode ? BY_STATUS[e.statusCode] : undefined;
  if (byStatus) return fromAppError(new AppError(byStatus));
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return fromAppError(new AppError('validation.invalid', 'The request is invalid'));
  return fromAppError(new AppError('internal.error', 'Something went wrong; the request id names it in the log'));
}

/**
 * Seconds a client should wait after `storage.unavailable`: about the storage layer's own retry
 * budget, by then a switchover or restart is usually over (a failover may take a few rounds).
 */
export const STORAGE_RETRY_AFTER_SECONDS = 2;

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.code === 'storage.unavailable') reply.header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
  // A server's failure names its request, so a report leads to the log and the trace; a
  // refusal (4xx) does not, so that equal refusals stay byte-identical.
  const body = p.status >= 500 ? { ...p, requestId: reply.request.id } : p;
  // A string payload bypasses response serialization: the problem is sent exactly as built.
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(body));
}

export function logProblem(req: FastifyRequest, err: unknown, p: Problem): void {
  if (p.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: p.code, status: p.status }, 'request refused');
}

export function installProblems(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    logProblem(req, err, p);
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((_req, reply) =>
    sendProblem(reply, toProblem(new AppError('resource.not_found', 'No such endpoint'))),
  );
}
