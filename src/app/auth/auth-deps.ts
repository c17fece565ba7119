import type { Actor } from '../../domain/access.js';
import type { AuditInput } from '../../domain/audit.js';
import type { AuthRepos, AuthStore, MailSender, TokenCrypto } from '../../domain/auth-ports.js';
import type { MfaServices } from '../../domain/mfa.js';
import type { SsoServices } from '../../domain/sso.js';
import type { SystemServices } from '../../domain/system-ports.js';
import type { WebhookServices } from '../../domain/webhooks.js';
import { type AppDeps, type Ctx, type RequestMeta, recordEvent } from '../context.js';
import type { ImportJobs } from '../import-jobs.js';
import type { ImportDeps } from '../import-users.js';
import type { MailWorker } from '../mail-outbox.js';
import type { PrincipalCache } from './principal-cache.js';

/** Numbers the auth use cases follow; built from Config in compose-http.ts. */
export interface AuthSettings {
  publicUrl: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  /** Lifetime of an admin-issued set-password link: short, it is a credential. */
  passwordLinkSeconds: number;
  signupLinkSeconds: number;
  signup: { maxPerAddress: number; windowSeconds: number };
  /** Starts of an external sign-in per client address (default SSO_START_LIMIT). */
  ssoStart?: { maxPerAddress: number; windowSeconds: number };
  tokenMaxDays: number;
  /** After this long an unanswered Idempotency-Key reservation counts as abandoned (default 60). */
  idempotencyLeaseSeconds?: number;
}

/** What the HTTP layer needs beyond AppDeps: auth storage, secrets, mail and the numbers. */
export interface AuthServices {
  authStore: AuthStore;
  tokens: TokenCrypto;
  mail: MailSender;
  /** Delivers the outbox's mail through `mail`; use cases queue inside their transaction, then flush. */
  mailer?: MailWorker;
  settings: AuthSettings;
  /** Where failures after commit (mail delivery) are reported. */
  onError?: (message: string, e: unknown) => void;
  /** OIDC sign-in (issue 4); absent, the SSO routes answer `sso.not_configured`. */
  sso?: SsoServices;
  /** Resolved sessions and tokens, reused while the decision version stands (see PrincipalCache). */
  principals?: PrincipalCache;
  /** User import (issue 6): the bulk store and the background jobs of this instance. */
  imports?: { deps: ImportDeps; jobs: ImportJobs };
  /** The operation roles' system tasks (issue 19); absent, their routes answer 404. */
  system?: SystemServices;
  /** Webhook subscriptions (issue 17); absent, their routes answer `webhook.not_configured`. */
  webhooks?: WebhookServices;
  /** TOTP and sealing for second factors (issue 16); wired in compose-http.ts. */
  mfa?: MfaServices;
}

export type AuthDeps = AppDeps & AuthServices;

/** The authenticated caller of a request: how it signed in, and what it may do now. */
export interface Principal {
  /** `app`: an access token of Kontor's own OP (decision 0016), accepted by the decision API only. */
  kind: 'session' | 'token' | 'app';
  ctx: Ctx;
  /** Hash of the session id (sessions only). */
  sessionHash?: string;
  /** Per-session CSRF token (sessions only). */
  csrfToken?: string;
  tokenId?: string;
  /** OP access tokens: the app it was issued to, and whether it speaks for a user or for the app alone. */
  app?: { clientId: string; onBehalfOf: 'user' | 'app' };
  /** A forced first-sign-in change is pending: only me, password change and logout are open. */
  mustChangePassword: boolean;
  /** Sessions: how and when the user authenticated (RFC 8176 `amr`), issue 16. */
  amr?: string[];
  authTime?: Date;
  /**
   * The security policy requires a second factor that this session has not shown: only me,
   * logout and factor enrolment are open (`mfa.enrolment_required` elsewhere).
   */
  mfaRestricted?: boolean;
  /** With a principal cache: the entry's key and the decision version this request verified. */
  cacheKey?: string;
  version?: number;
}

export const seconds = (now: Date, s: number): Date => new Date(now.getTime() + s * 1000);

/**
 * The CSRF token of a session, derived from the secret session id with a domain separator: it
 * needs no storage, differs per session, and reveals neither the id nor its stored hash.
 */
export const csrfTokenFor = (deps: Pick<AuthServices, 'tokens'>, sessionId: string): string =>
  deps.tokens.hash(`kontor-csrf:${sessionId}`);

/** Audit for sign-in events, which may have no actor yet but always carry address and request id. */
export function authAudit(
  repos: AuthRepos,
  meta: RequestMeta,
  now: Date,
  e: Pick<AuditInput, 'tenantId' | 'action' | 'targetType' | 'targetId'> & {
    actor?: Pick<Actor, 'userId' | 'actingTenantId'> | null;
    details?: Record<string, unknown>;
  },
) {
  return recordEvent(repos, { actor: e.actor ?? null, meta }, now, e);
}
