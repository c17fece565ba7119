import { scimInvalid } from './scim-errors.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SCIM booleans; Entra sends `"False"` and `"True"` as strings in PATCH values. */
export function toBoolean(v: unknown, attribute: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw scimInvalid('invalidValue', `${attribute} must be true or false`);
}

export function toText(v: unknown, attribute: string): string {
  if (typeof v === 'string') return v;
  throw scimInvalid('invalidValue', `${attribute} must be a string`);
}

export const toOptionalText = (v: unknown, attribute: string): string | null =>
  v === undefined || v === null ? null : toText(v, attribute);

/** Kontor's one address of a SCIM `emails` list, and whether the client says it is verified. */
export interface EmailEntry {
  email: string | null;
  verified: boolean;
}

/** One `emails` entry; `verified` is read like `primary` is sent, as a boolean or "True"/"False". */
export function emailEntryOf(e: Json): EmailEntry {
  const verified = e.verified === undefined || e.verified === null ? false : toBoolean(e.verified, 'emails.verified');
  return { email: toOptionalText(e.value, 'emails.value'), verified };
}

/** The address of a SCIM `emails` list: the primary entry, else the first. */
export function emailsOf(v: unknown): EmailEntry {
  if (v === undefined || v === null) return { email: null, verified: false };
  if (!Array.isArray(v)) throw scimInvalid('invalidValue', 'emails must be a list');
  const entries = v.filter(isObject);
  const chosen = entries.find((e) => e.primary === true || e.primary === 'True' || e.primary === 'true') ?? entries[0];
  return chosen ? emailEntryOf(chosen) : { email: null, verified: false };
}

/**
 * A copy of an extension object's attributes without prototype tricks (`__proto__` stays a
 * key). A `schemas` member names schemas, as clients send it in extension values (RFC 7644
 * §3.5.2 examples); it is no attribute, so it is left out rather than refused as a field.
 */
export function entriesOf(v: unknown, attribute: string): Json {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw scimInvalid('invalidValue', `${attribute} must be an object`);
  const out: Json = Object.create(null);
  for (const [k, x] of Object.entries(v)) if (k !== 'schemas') out[k] = x;
  return out;
}
