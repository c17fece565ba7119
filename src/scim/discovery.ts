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

const USER_ATTRS: Attr[] = [
  attr('userName', 'string', { required: true, uniqueness: 'server', description: 'The login name' }),
  attr('displayName', 'string'),
  attr('name', 'complex', { subAttributes: [attr('formatted', 'string')] }),
  attr('active', 'boolean'),
  attr('externalId', 'string', { caseExact: true }),
  attr('emails', 'complex', {
    multiValued: true,
    description: 'Kontor keeps one address: the primary (else the first) entry',
    subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')],
  }),
  attr('groups', 'complex', {
    multiValued: true,
    mutability: 'readOnly',
    description: 'The companies the user is limited to',
    subAttributes: [attr('value', 'string'), attr('display', 'string'), attr('$ref', 'reference')],
  }),
];

const GROUP_ATTRS: Attr[] = [
  attr('displayName', 'string', { required: true, uniqueness: 'server', description: 'The company name' }),
  attr('externalId', 'string', { caseExact: true }),
  attr('members', 'complex', {
    multiValued: true,
    subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string')],
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
