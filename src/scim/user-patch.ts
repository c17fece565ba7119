import type { ScimUserModel } from '../app/scim/scim-model.js';
import { type PatchOp, stripCore } from './patch-ops.js';
import { scimInvalid } from './scim-errors.js';
import { ENTERPRISE_FIELDS, URN } from './scim-schemas.js';
import { emailsOf, entriesOf, isObject, toBoolean, toOptionalText, toText } from './values.js';

const lower = (s: string) => s.toLowerCase();
const startsWithUrn = (path: string, urn: string) => lower(path).startsWith(`${lower(urn)}:`);

/**
 * Sets one attribute; `value` null means remove (or a replace with null, which RFC 7644 §3.5.2.3
 * treats alike). Unsupported core attributes are ignored.
 */
function set(m: ScimUserModel, rawPath: string, value: unknown): void {
  if (startsWithUrn(rawPath, URN.fields)) {
    m.fields[rawPath.slice(URN.fields.length + 1)] = value ?? null;
    return;
  }
  if (startsWithUrn(rawPath, URN.enterprise)) {
    const key = ENTERPRISE_FIELDS[rawPath.slice(URN.enterprise.length + 1)];
    if (key) m.mappedFields[key] = value ?? null;
    return;
  }
  if (lower(rawPath) === lower(URN.fields) || lower(rawPath) === lower(URN.enterprise)) {
    // The extension as a whole: each of its attributes is a path of its own.
    for (const [k, v] of Object.entries(entriesOf(value, rawPath))) set(m, `${rawPath}:${k}`, v);
    return;
  }
  const path = lower(stripCore(rawPath, URN.user));
  if (path === 'username') {
    if (value === null) throw scimInvalid('mutability', 'userName cannot be removed');
    m.userName = toText(value, 'userName');
  } else if (path === 'active') {
    if (value === null) throw scimInvalid('invalidValue', 'active cannot be removed');
    m.active = toBoolean(value, 'active');
  } else if (path === 'displayname' || path === 'name.formatted' || path === 'name') {
    // Kontor keeps one display name (shown as displayName and name.formatted), and it is
    // required: removing it is refused (RFC 7644 §3.5.2), not quietly reset to the userName.
    if (value === null) throw scimInvalid('mutability', `${rawPath} cannot be removed: the display name is required`);
    if (path !== 'name') m.displayName = toText(value, rawPath);
    else if (isObject(value) && typeof value.formatted === 'string') m.displayName = value.formatted;
  } else if (path === 'externalid') {
    m.externalId = toOptionalText(value, 'externalId');
  } else if (path === 'emails' || (/^emails\[.*\]$/.test(path) && (value === null || isObject(value)))) {
    // The list, or Kontor's one entry as a whole: what it leaves out (verified too) is gone.
    const entry = value === null ? { email: null, verified: false } : emailsOf(Array.isArray(value) ? value : [value]);
    m.email = entry.email;
    m.claimsVerified = entry.verified;
  } else if (/^emails\[.*\](\.value)?$/.test(path)) {
    // Kontor keeps one address: `emails[type eq "work"].value` (Entra's mapping) is that address.
    m.email = isObject(value) ? emailsOf([value]).email : toOptionalText(value, 'emails.value');
  } else if (/^emails(\[.*\])?\.verified$/.test(path)) {
    // A claim about the address the resource has after the whole PATCH, trusted or not later.
    m.claimsVerified = value === null ? false : toBoolean(value, 'emails.verified');
  } else if (path.includes('[') && !/^[a-z.]+\[.*\](\.[a-z]+)?$/i.test(path)) {
    throw scimInvalid('invalidPath', `Malformed path ${rawPath}`);
  }
}

/**
 * Applies Entra-style PATCH operations to a user: with a path, or without one (the value is an
 * object whose keys are paths, Entra's "Replace" of several attributes at once).
 */
export function applyUserPatch(current: ScimUserModel, ops: readonly PatchOp[]): ScimUserModel {
  const m: ScimUserModel = {
    ...current,
    // Null prototypes: a field key named __proto__ stays a key (and validation refuses it).
    fields: Object.assign(Object.create(null), current.fields),
    mappedFields: Object.assign(Object.create(null), current.mappedFields),
  };
  for (const op of ops) {
    if (op.path !== undefined) {
      set(m, op.path, op.op === 'remove' ? null : op.value);
      continue;
    }
    if (!isObject(op.value)) throw scimInvalid('invalidValue', 'An operation without path needs an object value');
    for (const [k, v] of Object.entries(op.value)) set(m, k, v);
  }
  return m;
}
