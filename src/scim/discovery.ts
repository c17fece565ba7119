import type { FieldDefinition, FieldType } from '../domain/custom-fields.js';
import { ENTERPRISE_FIELDS, URN } from './scim-schemas.js';
import type { Json } from './values.js';

/** Maximum `count` of a list; larger requests are cut to it (RFC 7644 §3.4.2.4). */
export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string): Json {
  return {
    schemas: [URN.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    // meta.version is reported, but If-Match is not evaluated on SCIM requests.
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'API token',
        description: 'A Kontor API token (kt_…) acting for this tenant, sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

type Attr = Json;
const attr = (name: string, type: string, o: Partial<Attr> = {}): Attr => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...o,
});

// RFC 7643 §2.3.7: a reference names what it may point to; URIs of Kontor are case-exact.
const ref = (referenceTypes: string[], o: Partial<Attr> = {}): Attr =>
  attr('$ref', 'reference', { referenceTypes, caseExact: true, ...o });
/** Sub-attributes under a readOnly parent are readOnly too (RFC 7643 §2.2: no readWrite below it). */
const readOnly = (a: Attr): Attr => ({ ...a, mutability: 'readOnly' });

const USER_ATTRS: Attr[] = [
  attr('userName', 'string', { required: true, uniqueness: 'server', description: 'The login name' }),
  attr('displayName', 'string', {
    required: true,
    description:
      'The display name; a body may give it as name.formatted or name.givenName and familyName instead. It cannot be removed',
  }),
  attr('name', 'complex', {
    description: 'Kontor keeps the display name only: name.formatted is displayName',
    subAttributes: [attr('formatted', 'string')],
  }),
  attr('active', 'boolean'),
  attr('externalId', 'string', {
    caseExact: true,
    uniqueness: 'server',
    description: "The provisioning client's id of the user, unique in the tenant",
  }),
  attr('emails', 'complex', {
    multiValued: true,
    description: 'Kontor keeps one address: the primary (else the first) entry',
    subAttributes: [
      attr('value', 'string'),
      attr('type', 'string', { canonicalValues: ['work'] }),
      attr('primary', 'boolean'),
      attr('verified', 'boolean', {
        description:
          'Whether the address is verified. true is kept only from a token whose user may attest addresses (users.email.attest, and outranks the user); else ignored, and the owner confirms by a link',
      }),
    ],
  }),
  attr('groups', 'complex', {
    multiValued: true,
    mutability: 'readOnly',
    description: 'The companies the user is limited to; changed through the Group members',
    subAttributes: [attr('value', 'string', { caseExact: true }), attr('display', 'string'), ref(['Group'])].map(
      readOnly,
    ),
  }),
];

const GROUP_ATTRS: Attr[] = [
  attr('displayName', 'string', { required: true, uniqueness: 'server', description: 'The company name' }),
  attr('externalId', 'string', {
    caseExact: true,
    uniqueness: 'server',
    description: "The provisioning client's id of the group, unique in the tenant",
  }),
  attr('members', 'complex', {
    multiValued: true,
    description: 'The users limited to the company',
    subAttributes: [
      attr('value', 'string', { caseExact: true, mutability: 'immutable', description: 'The user id' }),
      ref(['User'], { mutability: 'immutable', description: 'The URI of the user' }),
      attr('type', 'string', { mutability: 'immutable', canonicalValues: ['User'] }),
      attr('display', 'string', { mutability: 'readOnly', description: "The user's login name" }),
    ],
  }),
];

const SCIM_TYPE: Record<FieldType, string> = {
  text: 'string',
  number: 'decimal',
  boolean: 'boolean',
  date: 'string',
  select: 'string',
};

const fieldAttr = (d: FieldDefinition): Attr =>
  attr(d.key, SCIM_TYPE[d.type], {
    required: d.required,
    caseExact: true,
    description: d.type === 'date' ? `${d.label} (YYYY-MM-DD)` : d.label,
    ...(d.type === 'select' ? { canonicalValues: d.options } : {}),
  });

const schema = (base: string, id: string, name: string, description: string, attributes: Attr[]): Json => ({
  schemas: [URN.schema],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
});

/** The schemas Kontor serves; the field extension lists the tenant's custom fields. */
export function schemas(base: string, fields: readonly FieldDefinition[]): Json[] {
  const mapped = Object.entries(ENTERPRISE_FIELDS)
    .filter(([, key]) => fields.some((f) => f.key === key))
    .map(([a]) => attr(a, 'string', { description: `Kept in the custom field ${ENTERPRISE_FIELDS[a]}` }));
  return [
    schema(base, URN.user, 'User', 'A user of the tenant', USER_ATTRS),
    schema(base, URN.group, 'Group', 'A company of the tenant', GROUP_ATTRS),
    schema(base, URN.enterprise, 'EnterpriseUser', 'Attributes kept where a custom field of that key exists', mapped),
    schema(base, URN.fields, 'KontorFields', "The tenant's custom fields", fields.map(fieldAttr)),
  ];
}

export function resourceTypes(base: string): Json[] {
  const type = (id: string, endpoint: string, s: string, extensions: Json[]) => ({
    schemas: [URN.resourceType],
    id,
    name: id,
    endpoint,
    schema: s,
    schemaExtensions: extensions,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${id}` },
  });
  return [
    type('User', '/Users', URN.user, [
      { schema: URN.enterprise, required: false },
      { schema: URN.fields, required: false },
    ]),
    type('Group', '/Groups', URN.group, []),
  ];
}

export const listResponse = (resources: Json[], total: number, startIndex: number): Json => ({
  schemas: [URN.listResponse],
  totalResults: total,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});
