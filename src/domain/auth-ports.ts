import type { ChallengeRepo, MfaRepo } from './mfa.js';
import type { Repos, UnitOfWork } from './ports.js';

/**
 * Ports of sign-in, sessions, API tokens and request bookkeeping. Storage implements them;
 * secrets (session ids, tokens, links) never reach these repositories in clear text: callers
 * pass the SHA-256 hash, so a leaked table signs nobody in.
 */

/** A server-side session, looked up by the hash of the cookie value. */
export interface Session {
  idHash: string;
  userId: string;
  homeTenantId: string;
  actingTenantId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute end, fixed at sign-in; idle expiry is computed from `lastSeenAt`. */
  expiresAt: Date;
  /** How the session was authenticated (RFC 8176: `pwd`, `otp`, `fed`, ...); issue 16. */
  amr: string[];
  /** When the user last proved a credential for this session. */
  authTime: Date;
}

export interface SessionRepo {
  insert(s: Session): Promise<void>;
  /** The session if not revoked, before its absolute end, and seen after `idleSince`. */
  findLive(idHash: string, now: Date, idleSince: Date): Promise<Session | undefined>;
  /** Moves `lastSeenAt` forward; writes only when the stored value is older than `staleBefore`. */
  touch(idHash: string, now: Date, staleBefore: Date): Promise<void>;
  setActingTenant(idHash: string, tenantId: string): Promise<void>;
  revoke(idHash: string, now: Date): Promise<void>;
  /** Revokes every live session of the user except `keepIdHash`; returns how many. */
  revokeAllForUser(userId: string, now: Date, keepIdHash?: string): Promise<number>;
}

export interface ApiToken {
  id: string;
  userId: string;
  homeTenantId: string;
  actingTenantId: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiTokenRepo {
  insert(t: ApiToken & { tokenHash: string }): Promise<void>;
  /** The token if unrevoked and unexpired. */
  findLive(tokenHash: string, now: Date): Promise<ApiToken | undefined>;
  listForUser(userId: string): Promise<ApiToken[]>;
  /** Revokes a token of that user; false when there is none (another user's id included). */
  revoke(userId: string, id: string, now: Date): Promise<boolean>;
  markUsed(id: string, now: Date): Promise<void>;
}

/**
 * Failure counters keyed by a string (`acct:<userId>`, `addr:<ip>`, `signup:<ip>`). Increments
 * are one atomic SQL statement, so N instances racing on one key count every attempt.
 */
export interface ThrottleRepo {
  /** Adds one inside the window (a stale window restarts at 1); returns the new count. */
  hit(key: string, now: Date, windowSeconds: number): Promise<number>;
  /** The count inside the window, 0 when none or stale. */
  count(key: string, now: Date, windowSeconds: number): Promise<number>;
  /**
   * Adds one unless the window already holds `limit` (a stale window restarts at 1); returns
   * the new count, or undefined when the limit was reached. One statement, so racing callers on
   * any number of instances never get more than `limit` slots between them.
   */
  take(key: string, now: Date, windowSeconds: number, limit: number): Promise<number | undefined>;
  /** Gives back one taken slot (never below zero): the attempt turned out not to count. */
  giveBack(key: string): Promise<void>;
  /** The row as stored, whatever its age: `failures` and when its window began. */
  peek(key: string): Promise<{ failures: number; windowStart: Date } | undefined>;
  /**
   * Adds one and restarts the window at `now` (a row older than `decaySeconds` restarts at 1);
   * returns the new count. Used as a level that grows: the temporary sign-in lock.
   */
  escalate(key: string, now: Date, decaySeconds: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Idempotency-Key bookkeeping: reserve first, then complete, so a race runs the handler once. */
export interface IdempotencyRepo {
  /**
   * Reserves (scope, key) for a request fingerprint. Returns `reserved` when this caller owns
   * it, else the existing entry: its fingerprint and, once complete, the stored answer. An
   * unanswered reservation of the same fingerprint made before `abandonedBefore` belonged to a
   * process that died mid-request: this caller takes it over (exactly one racer does).
   */
  reserve(
    scope: string,
    key: string,
    fingerprint: string,
    now: Date,
    abandonedBefore?: Date,
  ): Promise<
    | { reserved: true }
    | {
        reserved: false;
        fingerprint: string;
        response: StoredResponse | null;
        /** Results its transactions committed (journaled with them), when the answer was lost. */
        applied?: unknown[];
      }
  >;
  complete(scope: string, key: string, response: StoredResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
  /** Removes entries created before `before` (expired keys may be reused). */
  purge(before: Date): Promise<number>;
}

export type OneTimePurpose = 'password_set' | 'signup_confirm' | 'email_verify' | 'mfa_pending';

export interface OneTimeToken {
  purpose: OneTimePurpose;
  userId: string;
  tenantId: string;
  expiresAt: Date;
}

export interface OneTimeTokenRepo {
  insert(t: OneTimeToken & { tokenHash: string; createdAt: Date }): Promise<void>;
  /** The token if unused and unexpired, without consuming it. */
  peek(tokenHash: string, purpose: OneTimePurpose, now: Date): Promise<OneTimeToken | undefined>;
  /** Single use: `UPDATE … WHERE used_at IS NULL RETURNING`; undefined when used, expired or unknown. */
  consume(tokenHash: string, purpose: OneTimePurpose, now: Date): Promise<OneTimeToken | undefined>;
  /** Voids every open token of the user for the purpose (a new link replaces older ones). */
  voidForUser(userId: string, purpose: OneTimePurpose, now: Date): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The link the message carries; senders may log it (the default does), never the body. */
  link: string;
}

/** Outgoing mail: the transport the outbox worker delivers through (SMTP, or the log). */
export interface MailSender {
  send(m: MailMessage): Promise<void>;
}

/** Random secrets and their one-way hash; kept behind a port so the app layer stays pure. */
export interface TokenCrypto {
  /** A new secret with at least 256 bits of randomness, URL-safe. */
  randomToken(): string;
  /** SHA-256 hex of the secret: what storage keeps and looks up. */
  hash(secret: string): string;
}

export interface AuthRepos extends Repos {
  sessions: SessionRepo;
  apiTokens: ApiTokenRepo;
  throttle: ThrottleRepo;
  idempotency: IdempotencyRepo;
  oneTimeTokens: OneTimeTokenRepo;
  mfa: MfaRepo;
  challenges: ChallengeRepo;
}

/** The unit of work for auth use cases: domain and auth repositories in one transaction. */
export type AuthStore = UnitOfWork<AuthRepos>;
