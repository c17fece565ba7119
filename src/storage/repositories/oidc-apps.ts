import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { App, AppAuthMethod, AppGrantType, AppKind, AppRepo } from '../../domain/apps.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { Database, OidcAppsTable } from '../schema.js';

const toApp = (r: Selectable<OidcAppsTable>): App => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  kind: r.kind as AppKind,
  authMethod: r.auth_method as AppAuthMethod,
  secretHash: r.secret_hash,
  jwks: (r.jwks as App['jwks']) ?? null,
  redirectUris: r.redirect_uris,
  postLogoutRedirectUris: r.post_logout_redirect_uris,
  backchannelLogoutUri: r.backchannel_logout_uri,
  scopes: r.scopes,
  grantTypes: r.grant_types as AppGrantType[],
  firstParty: r.first_party,
  enabled: r.enabled,
  version: r.version,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export function appRepo(db: Kysely<Database>): AppRepo {
  const find = async (id: string) => {
    const r = await db.selectFrom('oidc_apps').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toApp(r);
  };
  return {
    async insert(a) {
      await db
        .insertInto('oidc_apps')
        .values({
          id: a.id,
          tenant_id: a.tenantId,
          name: a.name,
          kind: a.kind,
          auth_method: a.authMethod,
          secret_hash: a.secretHash,
          jwks: a.jwks ? JSON.stringify(a.jwks) : null,
          redirect_uris: a.redirectUris,
          post_logout_redirect_uris: a.postLogoutRedirectUris,
          backchannel_logout_uri: a.backchannelLogoutUri,
          scopes: a.scopes,
          grant_types: a.grantTypes,
          first_party: a.firstParty,
          enabled: a.enabled,
          created_by: a.createdBy,
          created_at: a.createdAt,
          updated_at: a.updatedAt,
        })
        .execute();
      return (await find(a.id)) as App;
    },
    findById: find,
    async list(tenantId) {
      let q = db.selectFrom('oidc_apps').selectAll();
      q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
      return (await q.orderBy('name').orderBy('id').execute()).map(toApp);
    },
    async update(tenantId, id, p, now, expectedVersion) {
      let q = db
        .updateTable('oidc_apps')
        .set({
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.redirectUris !== undefined ? { redirect_uris: p.redirectUris } : {}),
          ...(p.postLogoutRedirectUris !== undefined ? { post_logout_redirect_uris: p.postLogoutRedirectUris } : {}),
          ...(p.backchannelLogoutUri !== undefined ? { backchannel_logout_uri: p.backchannelLogoutUri } : {}),
          ...(p.scopes !== undefined ? { scopes: p.scopes } : {}),
          ...(p.grantTypes !== undefined ? { grant_types: p.grantTypes } : {}),
          ...(p.firstParty !== undefined ? { first_party: p.firstParty } : {}),
          ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
          ...(p.jwks !== undefined ? { jwks: p.jwks ? JSON.stringify(p.jwks) : null } : {}),
          ...(p.secretHash !== undefined ? { secret_hash: p.secretHash } : {}),
          version: sql`version + 1`,
          updated_at: now,
        })
        .where('id', '=', id)
        .where((eb) => (tenantId === null ? eb('tenant_id', 'is', null) : eb('tenant_id', '=', tenantId)));
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
      const r = await q.returning('id').executeTakeFirst();
      if (!r) {
        if ((await find(id))?.tenantId === tenantId) throw new AppError('resource.stale');
        throw notFound('app');
      }
      return (await find(id)) as App;
    },
    async delete(tenantId, id) {
      const r = await db
        .deleteFrom('oidc_apps')
        .where('id', '=', id)
        .where((eb) => (tenantId === null ? eb('tenant_id', 'is', null) : eb('tenant_id', '=', tenantId)))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
