import type { ScimUserModel, ScimUserRecord } from '../app/scim/scim-model.js';
import { scimInvalid } from './scim-errors.js';
import { ENTERPRISE_FIELDS, URN } from './scim-schemas.js';
import { emailsOf, entriesOf, isObject, type Json, toBoolean, toOptionalText, toText } from './values.js';

/** Enterprise extension values as custom-field keys (unknown attributes, e.g. manager, are ignored). */
export function mappedFieldsOf(enterprise: unknown): Json {
  const out: Json = Object.create(null);
  for (const [attr, v] of Object.entries(entriesOf(enterprise, URN.enterprise))) {
    const key = ENTERPRISE_FIELDS[attr];
    if (key) out[key] = v;
  }
  return out;
}

function displayNameOf(body: Json): string | null {
  if (typeof body.displayName === 'string') return body.displayName;
  if (!isObject(body.name)) return null;
  if (typeof body.name.formatted === 'string') return body.name.formatted;
  const parts = [body.name.givenName, body.name.familyName].filter((p) => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

/**
 * A POST or PUT body as the model. Core attributes Kontor does not keep (title, addresses,
 * phoneNumbers, …, which Entra maps by default) are accepted and ignored rather than failing
 * the provisioning of every user; the schema Kontor publishes lists only what it keeps.
 */
export function userFromScim(body: unknown): ScimUserModel {
  if (!isObject(body)) throw scimInvalid('invalidSyntax', 'The body must be a SCIM User object');
  if (body.password !== undefined) {
    throw scimInvalid('invalidValue', 'Passwords are not provisioned: users sign in with SSO or a set-password link');
  }
  const { email, verified } = emailsOf(body.emails);
  const displayName = displayNameOf(body);
  // Required in the published schema: a body must carry it, as displayName or as name parts.
  if (displayName === null || displayName.trim() === '') {
    throw scimInvalid('invalidValue', 'displayName is required (or name.formatted, or name.givenName and familyName)');
  }
  return {
    userName: toText(body.userName, 'userName'),
    externalId: toOptionalText(body.externalId, 'externalId'),
    displayName,
    email,
    claimsVerified: verified,
    active: body.active === undefined ? true : toBoolean(body.active, 'active'),
    fields: entriesOf(body[URN.fields], URN.fields),
    mappedFields: mappedFieldsOf(body[URN.enterprise]),
  };
}

export const userLocation = (base: string, id: string) => `${base}/Users/${id}`;

/** A user as an RFC 7643 User resource with the enterprise and Kontor field extensions. */
export function userToScim(r: ScimUserRecord, base: string): Json {
  const { user } = r;
  const enterprise: Json = {};
  for (const [attr, key] of Object.entries(ENTERPRISE_FIELDS)) {
    if (Object.hasOwn(user.customFields, key)) enterprise[attr] = user.customFields[key];
  }
  const hasFields = Object.keys(user.customFields).length > 0;
  const hasEnterprise = Object.keys(enterprise).length > 0;
  return {
    schemas: [URN.user, ...(hasEnterprise ? [URN.enterprise] : []), ...(hasFields ? [URN.fields] : [])],
    id: user.id,
    ...(r.externalId !== null ? { externalId: r.externalId } : {}),
    userName: user.loginName,
    displayName: user.displayName,
    name: { formatted: user.displayName },
    active: user.state === 'active',
    ...(user.email ? { emails: [{ value: user.email, type: 'work', primary: true, verified: r.emailVerified }] } : {}),
    groups: r.groups.map((g) => ({ value: g.id, display: g.name, $ref: `${base}/Groups/${g.id}` })),
    ...(hasEnterprise ? { [URN.enterprise]: enterprise } : {}),
    ...(hasFields ? { [URN.fields]: { ...user.customFields } } : {}),
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: userLocation(base, user.id),
      version: `W/"${user.version}"`,
    },
  };
}
