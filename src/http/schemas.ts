import { type TSchema, Type } from '@sinclair/typebox';
import { ERROR_CODES } from '../domain/errors.js';

/**
 * Schemas written once: request schemas drive validation (additionalProperties: false, so
 * unknown fields, `__proto__` included, are refused), response schemas drive serialization
 * (nothing outside them, such as a hash, can leak) and both drive the OpenAPI document.
 */
const strict = { additionalProperties: false } as const;

/** OpenAPI 3.1 nullable; used in response schemas only (serialization, not validation). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });
/** Request side: an ISO time as text. */
export const DateTime = Type.String({ format: 'date-time' });
/** Response side: the serializer writes Date objects as ISO text. */
export const Time = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
/** A password as typed: the policy (length, blocklist) is the domain's; this only bounds the body. */
export const PasswordText = Type.String({ minLength: 1, maxLength: 1024 });
export const IdParams = Type.Object({ id: Uuid }, strict);
export const AnyObject = Type.Record(Type.String(), Type.Unknown());

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
    ),
    requestId: Type.Optional(
      Type.String({ description: '5xx only: the request id (x-request-id) naming this failure in logs and traces' }),
    ),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
);

/** Error answers for the OpenAPI document; the error handler sends them itself. */
export const errors = {
  '4xx': { description: 'Problem details', content: { 'application/problem+json': { schema: Problem } } },
  '5xx': { description: 'Problem details', content: { 'application/problem+json': { schema: Problem } } },
};

export const NoContent = Type.Null({ description: 'No content' });

export const TenantSettings = Type.Object(
  {
    selfRegistration: Type.Optional(Type.Boolean()),
    signupRoles: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  },
  strict,
);

export const Tenant = Type.Object({
  id: Uuid,
  kind: Type.String(),
  parentId: Nullable(Uuid),
  depth: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  status: Type.String(),
  settings: Type.Object({
    selfRegistration: Type.Optional(Type.Boolean()),
    signupRoles: Type.Optional(Type.Array(Type.String())),
  }),
  version: Type.Integer({ description: 'Send as If-Match: "<version>" to update' }),
  createdAt: Time,
  updatedAt: Time,
});

const userFields = {
  id: Uuid,
  tenantId: Uuid,
  loginName: Type.String(),
  email: Nullable(Type.String()),
  displayName: Type.String(),
  type: Type.String(),
  state: Type.String(),
  hasPassword: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  customFields: AnyObject,
  companyIds: Type.Array(Type.String()),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time,
};

export const User = Type.Object(userFields);
export const UserView = Type.Object({
  ...userFields,
  roles: Type.Array(Type.String()),
  relation: Type.String({ description: 'own, shared (imported share) or customer_primary' }),
  rolesReadOnly: Type.Boolean({ description: 'true for shared-in users (R6)' }),
  emailVerified: Type.Boolean({
    description: 'The current address was confirmed through its verification link or attested by an administrator',
  }),
});

export const Warning = Type.Object({ code: Type.String(), message: Type.String() });

export const CreateUserBody = Type.Object(
  {
    loginName: Type.String({ minLength: 1, maxLength: 254 }),
    email: Type.Optional(Type.Union([Type.String({ format: 'email' }), Type.Null()])),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(Type.Union([Type.Literal('primary'), Type.Literal('secondary')])),
    password: Type.Optional(PasswordText),
    roles: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
    customFields: Type.Optional(AnyObject),
    companyIds: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
  },
  strict,
);

/** An API token as its owner and administrators see it: never the secret or its hash. */
export const ApiToken = Type.Object({
  id: Uuid,
  name: Type.String(),
  actingTenantId: Uuid,
  createdAt: Time,
  expiresAt: Time,
  lastUsedAt: Nullable(Time),
  revokedAt: Nullable(Time),
});

export const Share = Type.Object({
  id: Uuid,
  userId: Uuid,
  homeTenantId: Uuid,
  targetTenantId: Uuid,
  status: Type.String(),
  expiresAt: Nullable(Time),
  createdAt: Time,
  acceptedAt: Nullable(Time),
  endedAt: Nullable(Time),
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
