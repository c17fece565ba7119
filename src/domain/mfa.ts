import type { FactorKind, PolicySettings } from './security-policy.js';

/**
 * Second factors (issue 16): the ports of their storage and of TOTP, and the rules that need no
 * I/O. A secret never leaves storage unsealed except inside the use case that checks a code;
 * no port returns one to a caller that lists factors.
 */

/** An enrolled (or enrolling: `confirmedAt` null) second factor, without its secret. */
export interface Factor {
  id: string;
  tenantId: string;
  userId: string;
  kind: FactorKind;
  label: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface MfaRepo {
  /** The user's factors, confirmed or not, oldest first; never a secret. */
  listFactors(tenantId: string, userId: string): Promise<Factor[]>;
  /** A new factor; a second TOTP factor of the user is a conflict (23505). */
  insertFactor(f: Factor & { secretSealed: string | null }): Promise<void>;
  /** The user's TOTP factor with its sealed secret and the last step it accepted. */
  totpFactor(
    tenantId: string,
    userId: string,
  ): Promise<(Factor & { secretSealed: string; lastUsedStep: number | null }) | undefined>;
  /**
   * Marks the time step `step` as used, in one conditional UPDATE: only when it is later than the
   * last accepted one. False: a replay (or an older code) — refused, whatever raced it.
   * `confirm` also confirms a pending enrolment.
   */
  useStep(tenantId: string, factorId: string, step: number, now: Date, confirm?: boolean): Promise<boolean>;
  /** Removes one factor of the user; the factor removed, or undefined. */
  deleteFactor(tenantId: string, userId: string, factorId: string): Promise<Factor | undefined>;
  /** Removes every factor and recovery code of the user; returns the kinds removed. */
  deleteAll(tenantId: string, userId: string): Promise<FactorKind[]>;
  /** Replaces the user's recovery codes by these hashes (the old ones stop working). */
  replaceRecoveryCodes(tenantId: string, userId: string, hashes: string[], ids: string[], now: Date): Promise<void>;
  /** Single use: `UPDATE … WHERE used_at IS NULL RETURNING`; false when unknown or used. */
  consumeRecoveryCode(tenantId: string, userId: string, hash: string, now: Date): Promise<boolean>;
  remainingRecoveryCodes(tenantId: string, userId: string): Promise<number>;
  /** A confirmed passkey factor. */
  insertPasskey(
    f: Factor & { credentialId: string; publicKey: string; counter: number; transports: string[] },
  ): Promise<void>;
  /** The passkey with this credential id among the tenant's users (and of `userId`, when given). */
  findPasskey(tenantId: string, credentialId: string, userId?: string): Promise<PasskeyCredential | undefined>;
  listPasskeyIds(tenantId: string, userId: string): Promise<string[]>;
  /**
   * Records a use with the counter it showed, in one conditional UPDATE: only when the counter
   * grew (or both are 0: authenticators without a counter). False: a clone or a replay.
   */
  usePasskey(tenantId: string, factorId: string, counter: number, now: Date): Promise<boolean>;
}

/** The own settings of tenants' security policies. */
export interface SecurityPolicyRepo {
  /** Own settings of each listed tenant that has any. */
  forTenants(tenantIds: readonly string[]): Promise<Map<string, PolicySettings>>;
  /** Stores a tenant's own settings; an empty object removes them (everything inherits). */
  put(tenantId: string, settings: PolicySettings, now: Date): Promise<void>;
}

/** RFC 6238 behind a port: the app layer stays free of the library. */
export interface TotpEngine {
  /** A new random secret, base32, 160 bits. */
  newSecret(): string;
  /** The otpauth:// URI an authenticator app reads. */
  uri(secret: string, account: string, issuer: string): string;
  /** A PNG data URL of the QR code of `uri`. */
  qrDataUrl(uri: string): Promise<string>;
  /** The time step a code is valid for at `now` (±1 step of drift), or undefined. */
  match(secret: string, code: string, now: Date): number | undefined;
}

/** What the MFA use cases need beyond AuthDeps; wired in compose-http.ts. */
export interface MfaServices {
  totp: TotpEngine;
  /** Seals TOTP secrets with KONTOR_SECRET_KEY. */
  box: { seal(plain: string): string; open(sealed: string): string };
  /** A new recovery code: 80 bits, grouped for reading (xxxx-xxxx-xxxx-xxxx). */
  recoveryCode(): string;
  /** Issuer shown in authenticator apps. */
  issuer: string;
  webauthn: WebAuthnEngine;
}

export const RECOVERY_CODE_COUNT = 10;

/** RFC 8176 method references a session records. */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa' | 'fed' | 'user';

/** Whether a session's methods include a second factor (a recovery code counts: it stands in for one). */
export const hasSecondFactor = (amr: readonly string[]): boolean =>
  amr.includes('otp') || amr.includes('hwk') || amr.includes('swk') || amr.includes('mfa');
// A passkey alone counts: possession of the key plus the authenticator's user verification.

/** Recovery codes are compared in one canonical form: case, blanks and dashes do not matter. */
export const canonicalRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, '');

/** A passkey's stored public half (base64url) and the last signature counter it showed. */
export interface PasskeyCredential {
  factor: Factor;
  id: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/** WebAuthn behind a port (RFC-level checks in the library; the app decides what they mean). */
export interface WebAuthnEngine {
  /** Creation options (JSON for the browser); the challenge is in `challenge`. */
  registrationOptions(o: {
    rpName: string;
    rpId: string;
    userId: string;
    userName: string;
    excludeCredentialIds: string[];
  }): Promise<{ challenge: string }>;
  /** The new credential, or undefined when origin, RP ID, challenge, flags or format are wrong. */
  verifyRegistration(o: {
    response: unknown;
    /** Consumes the challenge: true once, for a challenge this server issued. */
    challenge: (challenge: string) => Promise<boolean>;
    origin: string;
    rpId: string;
  }): Promise<{ credentialId: string; publicKey: string; counter: number; transports: string[] } | undefined>;
  authenticationOptions(o: { rpId: string; allowCredentialIds: string[] }): Promise<{ challenge: string }>;
  /** The new counter, or undefined (wrong origin, RP ID, challenge, signature, or a counter that went back). */
  verifyAuthentication(o: {
    response: unknown;
    challenge: (challenge: string) => Promise<boolean>;
    origin: string;
    rpId: string;
    credential: { id: string; publicKey: string; counter: number; transports: string[] };
  }): Promise<{ newCounter: number } | undefined>;
  /** The credential id an assertion names, if it is a plausible one. */
  credentialIdOf(response: unknown): string | undefined;
}

export type ChallengePurpose = 'webauthn_register' | 'webauthn_authenticate';

/** Issued WebAuthn challenges, by hash; single use. */
export interface ChallengeRepo {
  insert(c: {
    challengeHash: string;
    purpose: ChallengePurpose;
    tenantId: string;
    userId: string | null;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /** `UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING`; the row, or undefined. */
  consume(
    challengeHash: string,
    purpose: ChallengePurpose,
    now: Date,
  ): Promise<{ tenantId: string; userId: string | null } | undefined>;
}
