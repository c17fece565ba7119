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

/** The address of a SCIM `emails` list: the primary entry, else the first. */
export function emailOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw scimInvalid('invalidValue', 'emails must be a list');
  const entries = v.filter(isObject);
  const chosen = entries.find((e) => e.primary === true || e.primary === 'True' || e.primary === 'true') ?? entries[0];
  return chosen ? toOptionalText(chosen.value, 'emails.value') : null;
}

/** A copy of a JSON object's entries without prototype tricks (`__proto__` stays a key). */
export function entriesOf(v: unknown, attribute: string): Json {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw scimInvalid('invalidValue', `${attribute} must be an object`);
  const out: Json = Object.create(null);
  for (const [k, x] of Object.entries(v)) out[k] = x;
  return out;
}
