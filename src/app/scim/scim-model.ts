import type { Company } from '../../domain/company.js';
import type { FieldDefinition } from '../../domain/custom-fields.js';
import type { ScimMember, ScimStore } from '../../domain/scim.js';
import type { User, UserState } from '../../domain/user.js';
import type { AppDeps } from '../context.js';

/** SCIM use cases need the app deps and the store that also holds external ids. */
export type ScimDeps = AppDeps & { scimStore: ScimStore };

/**
 * A user as SCIM sees it, independent of the wire format: what a POST or PUT asks for, and what
 * a PATCH is applied to. `fields` holds Kontor custom fields (unknown keys are refused);
 * `mappedFields` holds values from the enterprise extension, which land in a custom field of
 * the same (snake_case) key only when the tenant defines one, and are ignored otherwise.
 */
export interface ScimUserModel {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  email: string | null;
  /**
   * The client says `email` is verified (`emails[].verified: true`). A claim, not a state: the
   * current user's model never carries it, so a PATCH that only changes the address claims
   * nothing. It is trusted only from a caller who may attest the address (attest-scim-email.ts).
   */
  claimsVerified: boolean;
  active: boolean;
  fields: Record<string, unknown>;
  mappedFields: Record<string, unknown>;
}

export interface ScimUserRecord {
  user: User;
  externalId: string | null;
  /** Whether the user's current address is verified (issue 14 #6). */
  emailVerified: boolean;
  /** Names of the user's companies (its SCIM groups), by id. */
  groups: { id: string; name: string }[];
}

export interface ScimGroupModel {
  displayName: string;
  externalId: string | null;
  /** User ids. */
  members: string[];
}

export interface ScimGroupRecord {
  company: Company;
  externalId: string | null;
  members: ScimMember[];
  /** The creation, or the newest logged change of the company (RFC 7643 meta.lastModified). */
  lastModified: Date;
}

export interface ListQuery<F> {
  filter?: F;
  /** 1-based, as in SCIM. */
  startIndex: number;
  count: number;
}

export interface ListResult<T> {
  total: number;
  items: T[];
}

/**
 * SCIM `active` is "may sign in". A locked user is inactive, and provisioning does not lift a
 * lock: it is an administrator's security hold, so only disabled ↔ active is provisioned.
 */
export function stateFor(current: UserState, active: boolean): UserState {
  if (current === 'locked') return 'locked';
  return active ? 'active' : 'disabled';
}

export const modelOf = (user: User, externalId: string | null): ScimUserModel => ({
  userName: user.loginName,
  externalId,
  displayName: user.displayName,
  email: user.email,
  claimsVerified: false,
  active: user.state === 'active',
  fields: { ...user.customFields },
  mappedFields: {},
});

const TRUE = /^true$/i;
const FALSE = /^false$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Values as the tenant's definitions type them. Entra sends every extension attribute as a
 * string ("True", "42"), so strings are converted for boolean and number fields; anything
 * else is left for validateFieldValues to judge. Mapped (enterprise) values without a field
 * of that key are dropped. A mapped value wins over the field's value: a PATCH of
 * `…enterprise:2.0:User:department` must change the `department` field the user already has.
 */
export function fieldValuesFor(defs: readonly FieldDefinition[], m: ScimUserModel): Record<string, unknown> {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(m.fields)) out[k] = v;
  for (const [k, v] of Object.entries(m.mappedFields)) if (byKey.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(out)) {
    const type = byKey.get(k)?.type;
    if (typeof v !== 'string') continue;
    if (type === 'boolean' && (TRUE.test(v) || FALSE.test(v))) out[k] = TRUE.test(v);
    if (type === 'number' && NUMBER.test(v)) out[k] = Number(v);
  }
  return { ...out };
}
