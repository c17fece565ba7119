/**
 * Kontor as OpenID Provider (issue 15): the storage ports behind oidc-provider. The provider's
 * records (codes, tokens, grants, sessions, interactions) are opaque payloads keyed by model and
 * id; a grant also knows the tenant its person acts for, which decides every claim.
 */

/** One stored oidc-provider record, as its adapter hands it over. */
export type OidcPayload = Record<string, unknown>;

/** Ends OP grants: all of an account's, or those acting for one tenant. */
export interface OidcGrantFilter {
  accountId: string;
  /** Only grants acting for this tenant (a share or a role there ended); absent: every grant. */
  tenantId?: string;
  /**
   * End only the codes and tokens, keeping grants and OP sessions (a removed role: the person
   * and her tenant are the same, the claims are read anew; a silent sign-in brings new tokens).
   */
  tokensOnly?: boolean;
}

/** Where a back-channel logout must go after grants ended: the app, who, and its OP session. */
export interface OidcLogoutTarget {
  clientId: string;
  accountId: string;
  sid: string;
}

/** The outbox topic of back-channel logouts (payload {@link OidcLogoutTarget}). */
/** Where a grant acts, and where its person came from when she acts through an SSO link. */
export interface OidcGrantPlace {
  tenantId: string;
  homeTenantId: string | null;
}

export const OIDC_LOGOUT_TOPIC = 'oidc.logout';

/**
 * oidc-provider's adapter contract over one table. `find*` hide expired rows and report a
 * consumed record with `consumed` (epoch seconds), as oidc-provider expects.
 */
export interface OidcPayloadRepo {
  upsert(model: string, id: string, payload: OidcPayload, expiresAt: Date | null): Promise<void>;
  find(model: string, id: string, now: Date): Promise<OidcPayload | undefined>;
  findByUid(model: string, uid: string, now: Date): Promise<OidcPayload | undefined>;
  findByUserCode(model: string, userCode: string, now: Date): Promise<OidcPayload | undefined>;
  /** Marks a record used once (codes, rotated refresh tokens); a second use is detected by `consumed`. */
  consume(model: string, id: string, now: Date): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes the records of `model` issued under a grant (oidc-provider calls it per model). */
  revokeByGrantId(model: string, grantId: string): Promise<void>;
  /**
   * Records the acting tenant of a saved grant and, for a person acting through an SSO link, the
   * tenant she came from (named `home_tenant`).
   */
  setGrantTenant(grantId: string, tenantId: string, homeTenantId?: string | null): Promise<void>;
  /** The acting tenant of a live grant and the home tenant recorded with it (SSO link); undefined when gone. */
  grantPlace(grantId: string, now: Date): Promise<OidcGrantPlace | undefined>;
  /** Whether the account holds a live grant for the app acting in the tenant (a user's OP token at /check). */
  hasLiveGrant(accountId: string, clientId: string, tenantId: string, now: Date): Promise<boolean>;
  /**
   * Ends grants in the caller's transaction (and with them their codes and tokens; for a whole
   * account also its OP sessions) and queues a back-channel logout for each app session they
   * served whose app has a back-channel logout URI. Returns how many grants ended.
   */
  endGrants(filter: OidcGrantFilter, now: Date): Promise<number>;
}

export type SigningAlg = 'ES256' | 'RS256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256'];

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  /** The private JWK, sealed with the installation's secret key. */
  privateJwkSealed: string;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
  /** Set when a newer key took over signing; the key still verifies until `publishUntil`. */
  retiredAt: Date | null;
  publishUntil: Date | null;
}

/** The OP's signing keys. At most one active (unretired) key per algorithm (a constraint). */
export interface OidcKeyRepo {
  /** Keys still published at `now`: active ones first, then retired ones, newest first. */
  published(now: Date): Promise<SigningKey[]>;
  /** Inserts unless an active key of the algorithm exists already; true when inserted. */
  insertActive(k: SigningKey): Promise<boolean>;
  /** Retires the active key of `alg`, published until `publishUntil`; returns its kid. */
  retireActive(alg: SigningAlg, now: Date, publishUntil: Date): Promise<string | undefined>;
  /** A fingerprint of the published set (changes when a key is added or retired). */
  fingerprint(now: Date): Promise<string>;
}

/** Makes signing key pairs (the app layer does no crypto itself). */
export interface KeyMaker {
  generate(
    alg: SigningAlg,
  ): Promise<{ kid: string; privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> }>;
}
