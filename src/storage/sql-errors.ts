import { AppError, type ErrorCode } from '../domain/errors.js';

// Unique constraints whose violation is an expected, named conflict.
const UNIQUE: Record<string, [ErrorCode, string]> = {
  users_one_primary: ['user.primary_exists', 'The tenant already has a primary user'],
  users_login: ['user.login_taken', 'The login name is taken in this tenant'],
  tenants_slug: ['resource.conflict', 'The tenant slug is taken'],
  tenants_one_root: ['resource.conflict', 'The root provider exists already'],
  shares_open: ['share.exists', 'The user is already shared with that tenant'],
  companies_name: ['resource.conflict', 'A company of that name exists'],
  field_definitions_key: ['resource.conflict', 'A field with that key exists'],
  sso_links_identity: ['sso.link_exists', 'This external identity is already linked in this tenant'],
  sso_links_user: ['sso.link_exists', 'The user already has an identity of this connection'],
};

interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
}

/**
 * Where a storage fault happened, which decides whether running the work again is safe:
 * - `not-sent`: nothing reached the server (connecting failed or was refused).
 * - `rejected`: the server refused the statement and rolled it back (40001, 40P01, 25006).
 * - `in-flight`: the connection broke, or the server ended the session (57P01, 57P02, class 08),
 *   while a statement was running: inside an explicit transaction before COMMIT nothing was
 *   committed; for COMMIT itself or an autocommit write the outcome is unknown.
 */
export type FaultStage = 'not-sent' | 'rejected' | 'in-flight';

/** A transient storage failure: `conflict` lost a race (retry, else 409), `unavailable` (retry, else 503). */
export interface StorageFault {
  kind: 'unavailable' | 'conflict';
  stage: FaultStage;
}

/**
 * Thrown when the connection broke while COMMIT was in flight: the transaction may or may not
 * have committed. Never retried; the API answers 503 and the client decides (Idempotency-Key).
 */
export class CommitOutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super('The connection broke while COMMIT was in flight; the outcome is unknown', { cause });
    this.name = 'CommitOutcomeUnknown';
  }
}

/** Thrown when no connection could be had from the pool: no statement of this attempt was sent. */
export class ConnectFailed extends Error {
  constructor(cause: unknown) {
    super(`No database connection: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause });
    this.name = 'ConnectFailed';
  }
}

// Node socket errors: a refused or unreachable server, or a connection torn down under a query.
const CONNECT_ERRNO = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const BROKEN_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

// node-postgres and pg-pool messages for connections that failed to open or broke.
const CONNECT_MESSAGES = [
  'timeout expired', // connectionTimeoutMillis while connecting
  'timeout exceeded when trying to connect', // waiting for a pooled client
  'Connection terminated due to connection timeout',
  // A client already known broken refuses statements without sending them.
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];
const BROKEN_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Query read timeout', // query_timeout: the statement may still run or commit on the server
];

function bySqlState(code: string): StorageFault | undefined {
  if (code === '40001' || code === '40P01') return { kind: 'conflict', stage: 'rejected' };
  if (code === '25006') return { kind: 'unavailable', stage: 'rejected' }; // primary demoted
  if (code === '57P03' || code === '53300' || code === '08001' || code === '08004') {
    return { kind: 'unavailable', stage: 'not-sent' }; // cannot connect now, too many connections
  }
  if (code === '57P01' || code === '57P02' || code.startsWith('08')) return { kind: 'unavailable', stage: 'in-flight' };
  return undefined;
}

/** Classifies an error from pg, pg-pool or PGlite; undefined when it is no transient storage fault. */
export function classifyFault(e: unknown): StorageFault | undefined {
  if (typeof e !== 'object' || e === null || e instanceof AppError) return undefined;
  if (e instanceof CommitOutcomeUnknown) return { kind: 'unavailable', stage: 'in-flight' };
  if (e instanceof ConnectFailed) {
    const f = classifyFault(e.cause) ?? (isSocketError(e.cause) ? { kind: 'unavailable' as const } : undefined);
    return f && { kind: f.kind, stage: 'not-sent' };
  }
  const { code, message } = e as PgLikeError;
  if (typeof code === 'string') {
    if (CONNECT_ERRNO.has(code)) return { kind: 'unavailable', stage: 'not-sent' };
    if (BROKEN_ERRNO.has(code)) return { kind: 'unavailable', stage: 'in-flight' };
    if (/^[0-9A-Z]{5}$/.test(code)) return bySqlState(code);
  }
  if (typeof message !== 'string') return undefined;
  if (CONNECT_MESSAGES.includes(message)) return { kind: 'unavailable', stage: 'not-sent' };
  if (BROKEN_MESSAGES.includes(message)) return { kind: 'unavailable', stage: 'in-flight' };
  return undefined;
}

const isSocketError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && typeof (e as { syscall?: unknown }).syscall === 'string';

/**
 * Maps PostgreSQL errors (pg and PGlite both carry SQLSTATE in `code`) to AppError. Races
 * resolved by constraints surface as clean conflicts, never as internal errors; a database
 * that cannot be reached, or a COMMIT whose outcome is unknown, as `storage.unavailable` (503).
 */
export function mapSqlError(e: unknown): unknown {
  if (e instanceof AppError || typeof e !== 'object' || e === null) return e;
  if (e instanceof CommitOutcomeUnknown) {
    return new AppError(
      'storage.unavailable',
      'The database connection broke while the change was being committed; it may or may not be saved. Retry with the same Idempotency-Key',
      // Lets the HTTP layer tell this apart from a change that certainly did not happen.
      { cause: e, details: { commitOutcome: 'unknown' } },
    );
  }
  const fault = classifyFault(e);
  if (fault?.kind === 'conflict') {
    return new AppError('resource.conflict', 'A concurrent change won; try again', { cause: e });
  }
  if (fault) return new AppError('storage.unavailable', undefined, { cause: e });
  const { code, constraint } = e as PgLikeError;
  if (typeof code !== 'string') return e;
  switch (code) {
    case '23505': {
      const known = constraint ? UNIQUE[constraint] : undefined;
      return new AppError(known?.[0] ?? 'resource.conflict', known?.[1], { cause: e });
    }
    case '23503':
      return new AppError('resource.conflict', 'A referenced record does not exist or is in use', { cause: e });
    case '23514':
    case '22P02':
    case '22001':
    case '22007':
    case '22008':
      return new AppError('validation.invalid', 'A value is out of range', { cause: e });
    default:
      return e;
  }
}
