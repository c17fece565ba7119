import { Type } from '@sinclair/typebox';
import { createApp } from '../../app/apps/create-app.js';
import { getApp } from '../../app/apps/get-app.js';
import { listApps } from '../../app/apps/list-apps.js';
import { removeApp } from '../../app/apps/remove-app.js';
import { rotateAppSecret } from '../../app/apps/rotate-app-secret.js';
import { updateApp } from '../../app/apps/update-app.js';
import { APP_AUTH_METHODS } from '../../domain/app-registration.js';
import { APP_GRANT_TYPES, APP_SCOPES } from '../../domain/apps.js';
import { etag, expectedVersion } from '../conditional.js';
import { ctxOf } from '../plugins/auth.js';
import { AnyObject, errors, IdParams, NoContent, Nullable, Time, Uuid } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['apps'];
const AppParams = Type.Object(
  { id: Uuid, appId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) },
  strict,
);
const Uri = Type.String({ minLength: 1, maxLength: 2000 });
const Uris = (description: string) => Type.Array(Uri, { maxItems: 20, description });
const Jwks = Type.Object({ keys: Type.Array(AnyObject, { maxItems: 10 }) }, strict);
const Scope = Type.Union(APP_SCOPES.map((s) => Type.Literal(s)));
const Grant = Type.Union(APP_GRANT_TYPES.map((g) => Type.Literal(g)));

const changeable = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  redirectUris: Uris('Exact redirect URIs: https, or http on 127.0.0.1, [::1] or localhost; no fragment, no wildcard'),
  postLogoutRedirectUris: Uris('Exact URIs RP-initiated logout may return to (same rules)'),
  backchannelLogoutUri: Type.Union([Uri, Type.Null()], { description: 'OpenID Connect Back-Channel Logout' }),
  scopes: Type.Array(Scope, { maxItems: APP_SCOPES.length }),
  grantTypes: Type.Array(Grant, { maxItems: APP_GRANT_TYPES.length }),
  firstParty: Type.Boolean({ description: 'Skips the consent screen; set by the operator only' }),
  jwks: Type.Union([Jwks, Type.Null()], { description: 'Public keys, for private_key_jwt' }),
};
const { name, ...optional } = changeable;
const CreateBody = Type.Object(
  {
    name,
    kind: Type.Optional(Type.Union([Type.Literal('confidential'), Type.Literal('public')])),
    authMethod: Type.Optional(
      Type.Union(
        APP_AUTH_METHODS.map((m) => Type.Literal(m)),
        {
          description: 'Default: client_secret_basic for confidential apps, none for public ones',
        },
      ),
    ),
    ...Type.Partial(Type.Object(optional)).properties,
  },
  strict,
);
const PatchBody = Type.Partial(Type.Object({ ...changeable, enabled: Type.Boolean() }), strict);

const App = Type.Object({
  id: Type.String({ description: 'The OAuth client_id' }),
  tenantId: Nullable(Uuid),
  name: Type.String(),
  kind: Type.String(),
  authMethod: Type.String(),
  hasSecret: Type.Boolean(),
  jwks: Nullable(Type.Object({ keys: Type.Array(Type.Unknown()) })),
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  backchannelLogoutUri: Nullable(Type.String()),
  scopes: Type.Array(Type.String()),
  grantTypes: Type.Array(Type.String()),
  firstParty: Type.Boolean(),
  enabled: Type.Boolean(),
  version: Type.Integer({ description: 'Send as If-Match: "<version>" to update' }),
  createdBy: Nullable(Uuid),
  createdAt: Time,
  updatedAt: Time,
});
const WithSecret = Type.Object({
  ...App.properties,
  clientSecret: Type.Optional(
    Type.String({ description: 'Shown in this answer only; Kontor keeps its hash. Absent without a secret method.' }),
  ),
});

/** Apps (OAuth clients of Kontor's OpenID Provider, issue 15 #2) of the acting tenant, `apps.manage`. */
export function appRoutes(app: Api, { deps }: RouteDeps): void {
  const base = '/tenants/:id/apps';
  const owner = (tenantId: string) => ({ tenantId });
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'Apps of the tenant',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(App) }), ...errors },
      },
    },
    async (req) => ({ items: await listApps(deps, ctxOf(req), owner(req.params.id)) }),
  );
  app.post(
    base,
    {
      // The answer carries the secret: an Idempotency-Key keeps a marker, never the answer.
      config: { secretBearing: true, stepUp: true },
      schema: {
        tags,
        summary: 'Register an app; the client secret is in this answer only',
        params: IdParams,
        body: CreateBody,
        response: { 201: WithSecret, ...errors },
      },
    },
    async (req, reply) => {
      const created = await createApp(deps, ctxOf(req), owner(req.params.id), req.body);
      return reply.code(201).header('etag', etag(created.version)).send(created);
    },
  );
  app.get(
    `${base}/:appId`,
    { schema: { tags, summary: 'One app', params: AppParams, response: { 200: App, ...errors } } },
    async (req, reply) => {
      const a = await getApp(deps, ctxOf(req), owner(req.params.id), req.params.appId);
      reply.header('etag', etag(a.version));
      return a;
    },
  );
  app.patch(
    `${base}/:appId`,
    {
      schema: {
        tags,
        summary: 'Change an app (If-Match: "version" guards it); kind and method stay',
        params: AppParams,
        body: PatchBody,
        response: { 200: App, ...errors },
      },
    },
    async (req, reply) => {
      const a = await updateApp(
        deps,
        ctxOf(req),
        owner(req.params.id),
        req.params.appId,
        req.body,
        expectedVersion(req),
      );
      reply.header('etag', etag(a.version));
      return a;
    },
  );
  app.delete(
    `${base}/:appId`,
    { schema: { tags, summary: 'Remove an app', params: AppParams, response: { 204: NoContent, ...errors } } },
    async (req, reply) => {
      await removeApp(deps, ctxOf(req), owner(req.params.id), req.params.appId);
      return reply.code(204).send(null);
    },
  );
  app.post(
    `${base}/:appId/secret`,
    {
      config: { secretBearing: true, stepUp: true },
      schema: {
        tags,
        summary: 'Rotate the client secret: the new one is in this answer only, the old one stops working at once',
        params: AppParams,
        response: { 200: WithSecret, ...errors },
      },
    },
    async (req) => rotateAppSecret(deps, ctxOf(req), owner(req.params.id), req.params.appId),
  );
}
