import type { Actor } from '../../domain/access.js';
import { BoundedCache } from '../bounded-cache.js';

/** What a session or API token resolved to, kept while the decision version stands still. */
/** What a session principal carries beyond the actor (issue 16). */
export interface SessionFacts {
  amr: string[];
  authTime: Date;
  /** The policy requires a second factor this session has not shown: only enrolment is open. */
  mfaRestricted: boolean;
  /** The effective idle lifetime (policy), in ms. */
  idleMs: number;
}

export interface CachedPrincipal {
  /** The decision version read before the rows this was built from. */
  version: number;
  actor: Actor;
  mustChangePassword: boolean;
  /** Epoch ms after which the entry is void: session/token end, or the acting share's end. */
  until: number;
  /** Sessions: last request seen by this process (idle expiry), last write of it to the DB. */
  lastSeen: number;
  lastWritten: number;
  tokenId?: string;
  /** Sessions: how they were authenticated, and whether policy holds them at enrolment (issue 16). */
  session?: SessionFacts;
  /** The `/me` answer (without the CSRF token), built at `version`, void after `meUntil`. */
  me?: { view: unknown; until: number };
}

export interface VersionSource {
  freshVersion(): Promise<number>;
}

/**
 * Sessions and API tokens resolved once and reused while nothing that could change them has
 * committed. Every change that matters — a role, a lock, a share, a tenant, a user edit, a
 * revoked session or token, a switched acting tenant, an SSO link — raises the decision version
 * (migrations 003 and 007), and every request compares the entry's version with a version read
 * that began after the request arrived (`freshVersion`, shared by concurrent requests). So a
 * revocation acknowledged on any instance is enforced on the very next request anywhere, and a
 * request costs one shared counter read instead of the session, user, role and share queries.
 * Keys are hashes of the secrets, never the secrets.
 */
export class PrincipalCache {
  private readonly entries: BoundedCache<string, CachedPrincipal>;

  constructor(
    private readonly versions: VersionSource,
    capacity = 100_000,
  ) {
    this.entries = new BoundedCache(capacity);
  }

  version(): Promise<number> {
    return this.versions.freshVersion();
  }

  /** The entry if it was built at `version` and has not run out at `now`. */
  get(key: string, version: number, now: number): CachedPrincipal | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.version !== version || now >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, entry: CachedPrincipal): void {
    this.entries.set(key, entry);
  }

  drop(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export const sessionKey = (idHash: string): string => `s:${idHash}`;
export const tokenKey = (tokenHash: string): string => `t:${tokenHash}`;
