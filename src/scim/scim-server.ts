import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuthDeps } from '../app/auth/auth-deps.js';
import { resolvePrincipal } from '../app/auth/sessions.js';
import { listFields } from '../app/companies.js';
import type { ScimDeps } from '../app/scim/scim-model.js';
import { scimTenant } from '../app/scim/scim-tenant.js';
import { AppError } from '../domain/errors.js';
import type { ScimStore } from '../domain/scim.js';
import { metaOf } from '../http/plugins/auth.js';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { groupRoutes } from './group-routes.js';
import { callOf, calls, type ScimApi, sendScim } from './scim-call.js';
import { scimErrorOf } from './scim-errors.js';
import { searchRoutes } from './search.js';
import { userRoutes } from './user-routes.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/i;

/**
 * The tenant slug of a URL no route matched (an unknown endpoint has no `:tenant` parameter),
 * so that it answers "no such endpoint" for the token's tenant rather than "no such tenant".
 */
function slugOf(url: string, prefix: string): string {
  const [segment = ''] = url.slice(prefix.length).replace(/^\/+/, '').split(/[/?#]/);
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * Authenticates a SCIM request: only an API token (a provisioning client has no session, and a
 * cookie must not reach a cross-site-callable write API), acting for the tenant in the URL.
 */
async function authenticate(deps: AuthDeps, req: FastifyRequest, prefix: string): Promise<void> {
  const m = BEARER.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new AppError('auth.unauthenticated', 'Send a Kontor API token as Authorization: Bearer kt_…');
  const p = await resolvePrincipal(deps, { bearer: m[1] }, metaOf(req));
  if (!p) throw new AppError('auth.unauthenticated', 'The token is invalid or expired');
  if (p.mustChangePassword) throw new AppError('auth.password_change_required');
  req.principal = p;
  const slug = (req.params as { tenant?: string }).tenant ?? slugOf(req.url, prefix);
  const tenant = await scimTenant(deps, p.ctx, slug);
  calls.set(req, { ctx: p.ctx, tenant, base: `${deps.settings.publicUrl}/scim/v2/${tenant.slug}` });
}

/**
 * SCIM 2.0 (RFC 7643/7644) per tenant under /scim/v2/{tenantSlug}. Registered with that prefix;
 * every answer, errors included, is application/scim+json, and bodies may be sent as
 * application/scim+json or application/json.
 */
export function scimServer(deps: AuthDeps, store: ScimStore): FastifyPluginAsync {
  return async (plain) => {
    const app: ScimApi = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.addContentTypeParser(
      'application/scim+json',
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'error'),
    );
    app.setErrorHandler((err, req, reply) => {
      const body = scimErrorOf(err);
      if (body.status === '401') reply.header('www-authenticate', 'Bearer realm="kontor-scim"');
      if (Number(body.status) >= 500) req.log.error({ err }, 'scim request failed');
      return sendScim(reply, Number(body.status), { ...body });
    });
    const noSuchEndpoint = (_req: FastifyRequest, reply: Parameters<typeof sendScim>[0]) =>
      sendScim(reply, 404, { ...scimErrorOf(new AppError('resource.not_found', 'No such SCIM endpoint')) });
    app.setNotFoundHandler(noSuchEndpoint);
    // The console's catch-all GET route at the root would otherwise win over this prefix's 404.
    app.get('/*', { schema: { hide: true } }, noSuchEndpoint);
    const prefix = plain.prefix;
    app.addHook('onRequest', async (req) => authenticate(deps, req, prefix));
    const sd: ScimDeps = { ...deps, scimStore: store };
    const hide = { hide: true } as const;

    app.get('/:tenant/ServiceProviderConfig', { schema: hide }, async (req, reply) =>
      sendScim(reply, 200, serviceProviderConfig(callOf(req).base)),
    );
    app.get('/:tenant/ResourceTypes', { schema: hide }, async (req, reply) => {
      const all = resourceTypes(callOf(req).base);
      return sendScim(reply, 200, listResponse(all, all.length, 1));
    });
    app.get('/:tenant/ResourceTypes/:id', { schema: hide }, async (req, reply) => {
      const found = resourceTypes(callOf(req).base).find((t) => t.id === (req.params as { id: string }).id);
      if (!found) throw new AppError('resource.not_found', 'No such resource type');
      return sendScim(reply, 200, found);
    });
    app.get('/:tenant/Schemas', { schema: hide }, async (req, reply) => {
      const { ctx, tenant, base } = callOf(req);
      const all = schemas(base, await listFields(deps, ctx, tenant.id));
      return sendScim(reply, 200, listResponse(all, all.length, 1));
    });
    app.get('/:tenant/Schemas/:id', { schema: hide }, async (req, reply) => {
      const { ctx, tenant, base } = callOf(req);
      const all = schemas(base, await listFields(deps, ctx, tenant.id));
      const found = all.find((s) => s.id === (req.params as { id: string }).id);
      if (!found) throw new AppError('resource.not_found', 'No such schema');
      return sendScim(reply, 200, found);
    });
    userRoutes(app, sd);
    groupRoutes(app, sd);
    searchRoutes(app, sd);
  };
}
