import { type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { getSecurityPolicy, putSecurityPolicy } from '../../app/security-policy.js';
import { FACTOR_KINDS, MFA_REQUIREMENTS, POLICY_LIMITS } from '../../domain/security-policy.js';
import { ctxOf } from '../plugins/auth.js';
import { errors, IdParams, Nullable, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const tags = ['tenants'];
const Mfa = Type.Union(MFA_REQUIREMENTS.map((m) => Type.Literal(m)));
const FactorKind = Type.Union(FACTOR_KINDS.map((m) => Type.Literal(m)));
const bounded = (k: keyof typeof POLICY_LIMITS, description: string) =>
  Type.Integer({ minimum: POLICY_LIMITS[k].min, maximum: POLICY_LIMITS[k].max, description });

/** The settings a tenant may set; absent or null: inherited. */
const fields = {
  mfa: Mfa,
  allowedFactors: Type.Array(FactorKind, { minItems: 1, uniqueItems: true }),
  passwordsAllowed: Type.Boolean({ description: 'false: sign-in only through SSO' }),
  ssoConnections: Type.Array(Uuid, { minItems: 1, maxItems: 100, description: 'SSO connections sign-in may use' }),
  minPasswordLength: bounded('minPasswordLength', 'Never below 15'),
  sessionIdleSeconds: bounded('sessionIdleSeconds', 'A session ends after this long without a request'),
  sessionAbsoluteSeconds: bounded('sessionAbsoluteSeconds', 'A session ends this long after sign-in'),
  stepUpSeconds: bounded('stepUpSeconds', 'How long a confirmed factor counts for sensitive actions'),
};

const OwnSettings = Type.Partial(Type.Object(fields, { additionalProperties: false }));

const sourced = (s: TSchema) =>
  Type.Object({
    value: s,
    source: Type.Union([Uuid, Type.Null()], { description: 'The tenant that set it; null: the installation default' }),
  });

const Effective = Type.Object({
  mfa: sourced(Mfa),
  allowedFactors: sourced(Type.Array(FactorKind)),
  passwordsAllowed: sourced(Type.Boolean()),
  ssoConnections: sourced(Nullable(Type.Array(Uuid))),
  minPasswordLength: sourced(Type.Integer()),
  sessionIdleSeconds: sourced(Type.Integer()),
  sessionAbsoluteSeconds: sourced(Type.Integer()),
  stepUpSeconds: sourced(Type.Integer()),
});

const PolicyView = Type.Object({
  tenantId: Uuid,
  own: OwnSettings,
  effective: Effective,
  inherited: Type.Optional(Effective),
});

const nullable: TProperties = {};
for (const [k, v] of Object.entries(fields)) nullable[k] = Type.Optional(Type.Union([v, Type.Null()]));
/** Null or absent: inherit. */
const PutBody = Type.Object(nullable, { additionalProperties: false });

/** The security policy of a tenant (issue 16 #4): own settings, inherited floor, effective values. */
export function securityPolicyRoutes(app: Api, { deps }: RouteDeps): void {
  const defaults = () => ({
    sessionIdleSeconds: deps.settings.sessionIdleSeconds,
    sessionAbsoluteSeconds: deps.settings.sessionAbsoluteSeconds,
  });
  app.get(
    '/tenants/:id/security-policy',
    {
      schema: {
        tags,
        summary: 'The security policy: own settings, the parent’s floor and each effective value with its source',
        params: IdParams,
        response: { 200: PolicyView, ...errors },
      },
    },
    async (req) => getSecurityPolicy(deps, ctxOf(req), req.params.id, defaults()),
  );

  app.put(
    '/tenants/:id/security-policy',
    {
      config: { stepUp: true },
      schema: {
        tags,
        summary: 'Replace the own settings (tenants.update); a value looser than the parent’s is refused',
        params: IdParams,
        body: PutBody,
        response: { 200: PolicyView, ...errors },
      },
    },
    async (req) => putSecurityPolicy(deps, ctxOf(req), req.params.id, req.body as Record<string, unknown>, defaults()),
  );
}
