import type { AuthRepos } from './auth-ports.js';
import type { UnitOfWork } from './ports.js';

/**
 * SSO connections, identity links and the rules that decide whether an external login may
 * sign in as a user (issue 4). Pure: no I/O; storage and the OIDC relying party implement the
 * ports declared here.
 */

export const LINK_POLICIES = ['manual', 'verified-email', 'jit'] as const;
export type LinkPolicy = (typeof LINK_POLICIES)[number];

/** Which ID token claims feed the link and the profile. Several subject claims are joined by ':'. */
export interface ClaimMapping {
  /** `['sub']` by default; Entra ID: `['tid', 'oid']` (stable per directory and object). */
  subject: string[];
  email: string;
  name: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = { subject: ['sub'], email: 'email', name: 'name' };

/** Algorithms an ID token may be signed with. Never `none`, never an HMAC (HS*) algorithm. */
export const ALLOWED_ID_TOKEN_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

export interface SsoConnection {
  id: string;
  tenantId: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Whether a secret is stored; the secret itself never leaves the sso layer. */
  hasClientSecret: boolean;
  scopes: string[];
  idTokenAlgs: string[];
  claimMapping: ClaimMapping;
  vouchedDomains: string[];
  enabled: boolean;
  linkPolicy: LinkPolicy;
  jitRoles: string[];
  offeredToSubtree: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentityLink {
  tenantId: string;
  userId: string;
  connectionId: string;
  issuer: string;
  subject: string;
  createdAt: Date;
  /** `admin:<userId>`, `verified-email`, `jit`. */
  createdBy: string;
}

export interface SsoFlow {
  stateHash: string;
  browserHash: string;
  connectionId: string;
  tenantId: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string | null;
  /** A self-link: only this user, signed in, may complete the flow, and it links instead of signing in. */
  linkUserId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export type ConnectionPatch = Partial<
  Pick<
    SsoConnection,
    | 'name'
    | 'issuer'
    | 'clientId'
    | 'scopes'
    | 'idTokenAlgs'
    | 'claimMapping'
    | 'vouchedDomains'
    | 'enabled'
    | 'linkPolicy'
    | 'jitRoles'
    | 'offeredToSubtree'
  >
> & { clientSecretEnc?: string | null };

export interface SsoRepo {
  insertConnection(c: SsoConnection & { clientSecretEnc: string | null }): Promise<void>;
  /** The connection if it belongs to `tenantId`. */
  findConnection(tenantId: string, id: string): Promise<SsoConnection | undefined>;
  /** Any tenant's connection, for the sign-in flow which starts from the connection id. */
  findConnectionById(id: string): Promise<SsoConnection | undefined>;
  /** The encrypted secret; only the relying party decrypts it. */
  clientSecretEnc(id: string): Promise<string | null | undefined>;
  listConnections(tenantId: string): Promise<SsoConnection[]>;
  /** Optimistic update; `resource.stale` when `expectedVersion` differs. */
  updateConnection(
    tenantId: string,
    id: string,
    patch: ConnectionPatch,
    now: Date,
    expectedVersion?: number,
  ): Promise<SsoConnection>;
  deleteConnection(tenantId: string, id: string): Promise<boolean>;
  enable(tenantId: string, connectionId: string, now: Date): Promise<void>;
  disable(tenantId: string, connectionId: string): Promise<boolean>;
  isEnabledFor(tenantId: string, connectionId: string): Promise<boolean>;
  /** Ids of offered connections the tenant enabled for itself. */
  enabledConnectionIds(tenantId: string): Promise<string[]>;
  /** Conflicts (identity or user already linked) throw `sso.link_exists`. */
  insertLink(l: IdentityLink): Promise<void>;
  findLink(tenantId: string, connectionId: string, issuer: string, subject: string): Promise<IdentityLink | undefined>;
  /** Every link of (issuer, subject), any tenant and connection: the MSP's tenants. */
  linksOfIdentity(issuer: string, subject: string): Promise<IdentityLink[]>;
  listLinks(tenantId: string, userId: string): Promise<IdentityLink[]>;
  deleteLink(tenantId: string, userId: string, connectionId: string): Promise<IdentityLink | undefined>;
  insertFlow(f: SsoFlow): Promise<void>;
  /** Single use: marks the flow used and returns it, or undefined when used, expired or unknown. */
  consumeFlow(stateHash: string, now: Date): Promise<SsoFlow | undefined>;
  verifiedEmail(tenantId: string, userId: string): Promise<string | undefined>;
  /** Users of the tenant whose verified address is `email` (case-insensitive). */
  usersByVerifiedEmail(tenantId: string, email: string): Promise<string[]>;
  setVerifiedEmail(tenantId: string, userId: string, email: string, now: Date): Promise<void>;
  rememberSessionIdentity(sessionIdHash: string, id: SessionIdentity): Promise<void>;
  sessionIdentity(sessionIdHash: string): Promise<SessionIdentity | undefined>;
  /**
   * Ends the live sessions opened through the connection (sign-in or MSP switch), only those of
   * one user or of one home tenant when given; returns how many. Bumps the principal version,
   * so every instance refuses them on the next request.
   */
  endSessionsThrough(
    connectionId: string,
    only: { userId?: string; homeTenantId?: string },
    now: Date,
  ): Promise<number>;
  /** Removes every tenant's enablement of the connection; returns those tenants' ids, sorted. */
  voidEnablements(connectionId: string): Promise<string[]>;
}

/** The external identity a session was opened with, and through which connection. */
export interface SessionIdentity {
  connectionId: string;
  issuer: string;
  subject: string;
}

/** The claims of a validated ID token, as the relying party hands them over. */
export type IdClaims = Record<string, unknown> & { iss: string; sub: string };

/** One finding of {@link RelyingParty.inspect}: what was checked, whether it holds, in plain words. */
export interface ConnectionCheck {
  check: 'discovery' | 'issuer' | 'code_flow' | 'algorithms' | 'jwks';
  ok: boolean;
  detail: string;
}

/**
 * The OIDC relying party. `begin` returns where to send the browser; `complete` redeems the
 * code and returns the ID token claims only after every check of issue 4 passed (signature with
 * the allow-listed algorithms, exact iss, aud, azp, exp, iat not in the future, nonce, PKCE,
 * userinfo `sub` equal to the ID token's). Failures throw `sso.rejected` with a reason.
 */
export interface RelyingParty {
  begin(
    c: SsoConnection,
    p: { redirectUri: string; state: string; nonce: string; codeVerifier: string },
  ): Promise<string>;
  complete(
    c: SsoConnection,
    p: { callbackUrl: string; state: string; nonce: string; codeVerifier: string },
  ): Promise<IdClaims>;
  randomVerifier(): string;
  /**
   * Checks a connection's set-up against its provider, through the outbound guard: discovery
   * fetched, issuer exactly as announced, the authorization code flow with S256 offered, an
   * allow-listed ID token algorithm the provider signs with, and a JWKS with a key for it.
   * Throws AppError `sso.issuer_forbidden` (a refused address) or `sso.issuer_unreachable` (no
   * answer at all); a provider that answers, even wrongly, yields failed checks instead.
   */
  inspect(c: Pick<SsoConnection, 'issuer' | 'clientId' | 'idTokenAlgs'>): Promise<ConnectionCheck[]>;
  /** The provider's RP-initiated logout URL, or undefined when it announces none. */
  endSessionUrl(c: SsoConnection, postLogoutRedirectUri: string): Promise<string | undefined>;
}

/** Encrypts client secrets at rest. */
export interface SecretBox {
  seal(plain: string): string;
}

/** The subject of an external identity under the connection's mapping; undefined if incomplete. */
export function subjectOf(claims: IdClaims, m: ClaimMapping): string | undefined {
  const parts = m.subject.map((k) => claims[k]);
  if (parts.some((p) => typeof p !== 'string' || p.length === 0)) return undefined;
  return parts.join(':');
}

/**
 * `email_verified` is about the standard `email` claim only: linking by verified address is
 * sound only if that is the claim the connection reads the address from.
 */
export const emailLinkMappingSound = (policy: LinkPolicy, m: ClaimMapping): boolean =>
  policy !== 'verified-email' || m.email === 'email';

export type EmailLinkDecision = { link: true; email: string } | { link: false; reason: string };

/**
 * Whether an ID token may link to the local user with the same address (policy
 * `verified-email`). All must hold: the token says `email_verified: true` (a boolean, not the
 * string some providers send), the domain is vouched for by the connection, and the local
 * address is verified. An unverified or mutable claim (Entra's `email`) never links (nOAuth).
 */
export function emailLinkDecision(
  claims: IdClaims,
  m: ClaimMapping,
  vouchedDomains: readonly string[],
  local: { email: string | null; verifiedEmail: string | undefined } | undefined,
): EmailLinkDecision {
  // Connections saved before the mapping check existed: never trust another claim as verified.
  if (m.email !== 'email') return { link: false, reason: 'email_mapping_not_standard' };
  const email = claims[m.email];
  if (typeof email !== 'string' || email.length === 0) return { link: false, reason: 'no_email' };
  if (claims.email_verified !== true) return { link: false, reason: 'email_not_verified' };
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!vouchedDomains.map((d) => d.toLowerCase()).includes(domain))
    return { link: false, reason: 'domain_not_vouched' };
  if (!local) return { link: false, reason: 'no_local_user' };
  const same = (a: string | null | undefined) => typeof a === 'string' && a.toLowerCase() === email.toLowerCase();
  if (!same(local.email) || !same(local.verifiedEmail)) return { link: false, reason: 'local_email_not_verified' };
  return { link: true, email };
}

export interface SsoRepos extends AuthRepos {
  sso: SsoRepo;
}

/** The unit of work of SSO use cases: domain, auth and SSO repositories in one transaction. */
export type SsoStore = UnitOfWork<SsoRepos>;

/** What SSO use cases need beyond the auth services; wired in compose-http.ts. */
export interface SsoServices {
  store: SsoStore;
  rp: RelyingParty;
  box: SecretBox;
  /** How long a started sign-in may take at the provider. */
  flowSeconds: number;
}
