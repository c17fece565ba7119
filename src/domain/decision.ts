import type { PermissionCatalogue } from './permissions.js';
import type { Role } from './role.js';
import { rolesInImportingTenant, type ShareStatus } from './share.js';
import type { TenantKind, TenantStatus } from './tenant.js';
import type { UserState } from './user.js';

/**
 * Why a decision is `false`. `no_access` covers everything that would otherwise tell a caller
 * whether a user or tenant exists (unknown, locked, suspended, not shared, out of scope); the
 * catalogue is public, so an unknown permission may say so.
 */
export type DenyReason = 'permission_unknown' | 'no_access' | 'not_granted';

export interface Decision {
  allowed: boolean;
  reason?: DenyReason;
}

export const ALLOWED: Decision = Object.freeze({ allowed: true });
export const NO_ACCESS: Decision = Object.freeze({ allowed: false, reason: 'no_access' });
export const NOT_GRANTED: Decision = Object.freeze({ allowed: false, reason: 'not_granted' });
export const PERMISSION_UNKNOWN: Decision = Object.freeze({ allowed: false, reason: 'permission_unknown' });

/**
 * Interns the catalogue's permission keys to bit positions once, so a decision is a map lookup
 * and a bit test instead of a string-set lookup per role.
 */
export class PermissionIndex {
  readonly words: number;
  private readonly bits = new Map<string, number>();
  private readonly system: boolean[] = [];
  private readonly customers: boolean[] = [];

  constructor(catalogue: PermissionCatalogue) {
    for (const p of catalogue.list()) {
      this.system.push(p.scope === 'system');
      // DESIGN §1: `customers.*` acts on the direct children of the tenant the user acts for.
      this.customers.push(p.scope === 'tenant' && p.key.startsWith('customers.'));
      this.bits.set(p.key, this.bits.size);
    }
    this.words = Math.max(1, Math.ceil(this.bits.size / 32));
  }

  /** The bit of a permission, or -1 when the catalogue does not know it. */
  bitOf(key: string): number {
    return this.bits.get(key) ?? -1;
  }

  isSystem(bit: number): boolean {
    return this.system[bit] === true;
  }

  isCustomers(bit: number): boolean {
    return this.customers[bit] === true;
  }
}

/** What a user may do in one tenant it may act for. */
export interface CompiledAccess {
  readonly bits: Uint32Array;
  /** Milliseconds since the epoch until which the access holds: a share's expiry, else Infinity. */
  readonly validUntil: number;
}

/** Everything that decides where and with which permissions a user may act. */
export interface UserFacts {
  userId: string;
  homeTenantId: string;
  state: UserState;
  homeKind: TenantKind;
  homeStatus: TenantStatus;
  roleKeys: readonly string[];
  /** Imported shares of the user with the status of the tenant they lead into. */
  shares: readonly {
    targetTenantId: string;
    targetStatus: TenantStatus;
    status: ShareStatus;
    expiresAt: Date | null;
    /** The role keys the importing tenant consented to (decision 0007); null: none. */
    acceptedRoles: readonly string[] | null;
  }[];
}

function roleBits(
  facts: UserFacts,
  roleKeys: readonly string[],
  roles: ReadonlyMap<string, Role>,
  index: PermissionIndex,
): Uint32Array {
  const bits = new Uint32Array(index.words);
  const isRootUser = facts.homeKind === 'provider';
  for (const key of roleKeys) {
    const role = roles.get(key);
    if (!role) continue; // a removed role grants nothing
    for (const p of role.permissions) {
      const bit = index.bitOf(p);
      if (bit < 0) continue; // a permission removed from the catalogue grants nothing
      if (index.isSystem(bit) && !isRootUser) continue; // R7: system scope only for the root
      // R7 made structural a second time: an operation role never yields tenant data, even if
      // a stored definition predates the validation that forbids it.
      if (!index.isSystem(bit) && role.category === 'operation') continue;
      bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
  }
  return bits;
}

/**
 * The tenants a user may act for right now, each with its permissions: the home tenant and every
 * tenant an accepted share leads into, as long as the user, its home and that tenant are active
 * (the same conditions as `resolveActor`). Empty for a user who may act nowhere.
 */
export function compileUser(
  facts: UserFacts,
  roles: ReadonlyMap<string, Role>,
  index: PermissionIndex,
): Map<string, CompiledAccess> {
  const out = new Map<string, CompiledAccess>();
  if (facts.state !== 'active' || facts.homeStatus !== 'active') return out;
  out.set(facts.homeTenantId, {
    bits: roleBits(facts, facts.roleKeys, roles, index),
    validUntil: Number.POSITIVE_INFINITY,
  });
  // Per importing tenant: the consent of its shares bounds the roles, as in `resolveActor`.
  const into = new Map<string, { accepted: (readonly string[] | null)[]; validUntil: number }>();
  for (const s of facts.shares) {
    if (s.status !== 'active' || s.targetStatus !== 'active' || s.targetTenantId === facts.homeTenantId) continue;
    const validUntil = s.expiresAt === null ? Number.POSITIVE_INFINITY : s.expiresAt.getTime();
    const prev = into.get(s.targetTenantId) ?? { accepted: [], validUntil: Number.NEGATIVE_INFINITY };
    into.set(s.targetTenantId, {
      accepted: [...prev.accepted, s.acceptedRoles],
      validUntil: Math.max(prev.validUntil, validUntil),
    });
  }
  for (const [tenantId, t] of into) {
    const keys = rolesInImportingTenant(facts.roleKeys, t.accepted);
    out.set(tenantId, { bits: roleBits(facts, keys, roles, index), validUntil: t.validUntil });
  }
  return out;
}

/** Does the access hold the permission now? `now` is read only for accesses that expire. */
export function holds(access: CompiledAccess | undefined, bit: number, now: () => number): boolean {
  if (access === undefined) return false;
  if (((access.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
  return access.validUntil === Number.POSITIVE_INFINITY || now() < access.validUntil;
}

const usable = (a: CompiledAccess | undefined, now: () => number): boolean =>
  a !== undefined && (a.validUntil === Number.POSITIVE_INFINITY || now() < a.validUntil);

/**
 * The authorization decision. `own` is the user's access in the asked tenant; `parent` its access
 * in the asked tenant's parent, which counts only for `customers.*` permissions (they act on
 * direct children). `bit` is -1 for a permission the catalogue does not know.
 */
export function decide(
  own: CompiledAccess | undefined,
  parent: CompiledAccess | undefined,
  bit: number,
  index: PermissionIndex,
  now: () => number,
): Decision {
  if (bit < 0) return PERMISSION_UNKNOWN;
  if (holds(own, bit, now)) return ALLOWED;
  const viaParent = index.isCustomers(bit);
  if (viaParent && holds(parent, bit, now)) return ALLOWED;
  return usable(own, now) || (viaParent && usable(parent, now)) ? NOT_GRANTED : NO_ACCESS;
}
