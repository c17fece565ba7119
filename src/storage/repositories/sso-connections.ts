import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { ClaimMapping, LinkPolicy, SsoConnection, SsoRepo } from '../../domain/sso.js';
import type { Database, SsoConnectionsTable } from '../schema.js';

const toConnection = (r: Selectable<SsoConnectionsTable>): SsoConnection => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  issuer: r.issuer,
  clientId: r.client_id,
  hasClientSecret: r.client_secret_enc !== null,
  scopes: r.scopes,
  idTokenAlgs: r.id_token_algs,
  claimMapping: r.claim_mapping as unknown as ClaimMapping,
  vouchedDomains: r.vouched_domains,
  enabled: r.enabled,
  linkPolicy: r.link_policy as LinkPolicy,
  jitRoles: r.jit_roles,
  offeredToSubtree: r.offered_to_subtree,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type ConnectionPart = Pick<
  SsoRepo,
  | 'insertConnection'
  | 'findConnection'
  | 'findConnectionById'
  | 'clientSecretEnc'
  | 'listConnections'
  | 'updateConnection'
  | 'deleteConnection'
  | 'enable'
  | 'disable'
  | 'isEnabledFor'
  | 'enabledConnectionIds'
  | 'voidEnablements'
>;

/** Connections and their enablements; every query of one tenant's connections names the tenant. */
export function ssoConnectionRepo(db: Kysely<Database>): ConnectionPart {
  return {
    async insertConnection(c) {
      await db
        .insertInto('sso_connections')
        .values({
          id: c.id,
          tenant_id: c.tenantId,
          name: c.name,
          issuer: c.issuer,
          client_id: c.clientId,
          client_secret_enc: c.clientSecretEnc,
          scopes: c.scopes,
          id_token_algs: c.idTokenAlgs,
          claim_mapping: JSON.stringify(c.claimMapping),
          vouched_domains: c.vouchedDomains,
          enabled: c.enabled,
          link_policy: c.linkPolicy,
          jit_roles: c.jitRoles,
          offered_to_subtree: c.offeredToSubtree,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
    },
    async findConnection(tenantId, id) {
      const r = await db
        .selectFrom('sso_connections')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toConnection(r);
    },
    async findConnectionById(id) {
      const r = await db.selectFrom('sso_connections').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toConnection(r);
    },
    async clientSecretEnc(id) {
      const r = await db
        .selectFrom('sso_connections')
        .select('client_secret_enc')
        .where('id', '=', id)
        .executeTakeFirst();
      return r?.client_secret_enc;
    },
    async listConnections(tenantId) {
      const rows = await db
        .selectFrom('sso_connections')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toConnection);
    },
    async updateConnection(tenantId, id, p, now, expectedVersion) {
      let q = db
        .updateTable('sso_connections')
        .set((eb) => ({
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.issuer !== undefined ? { issuer: p.issuer } : {}),
          ...(p.clientId !== undefined ? { client_id: p.clientId } : {}),
          ...(p.clientSecretEnc !== undefined ? { client_secret_enc: p.clientSecretEnc } : {}),
          ...(p.scopes !== undefined ? { scopes: p.scopes } : {}),
          ...(p.idTokenAlgs !== undefined ? { id_token_algs: p.idTokenAlgs } : {}),
          ...(p.claimMapping !== undefined ? { claim_mapping: JSON.stringify(p.claimMapping) } : {}),
          ...(p.vouchedDomains !== undefined ? { vouched_domains: p.vouchedDomains } : {}),
          ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
          ...(p.linkPolicy !== undefined ? { link_policy: p.linkPolicy } : {}),
          ...(p.jitRoles !== undefined ? { jit_roles: p.jitRoles } : {}),
          ...(p.offeredToSubtree !== undefined ? { offered_to_subtree: p.offeredToSubtree } : {}),
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id);
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
      const r = await q.returningAll().executeTakeFirst();
      if (!r) throw new AppError(expectedVersion !== undefined ? 'resource.stale' : 'resource.not_found');
      return toConnection(r);
    },
    async deleteConnection(tenantId, id) {
      const r = await db
        .deleteFrom('sso_connections')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async enable(tenantId, connectionId, now) {
      await db
        .insertInto('sso_enablements')
        .values({ tenant_id: tenantId, connection_id: connectionId, created_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async disable(tenantId, connectionId) {
      const r = await db
        .deleteFrom('sso_enablements')
        .where('tenant_id', '=', tenantId)
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async voidEnablements(connectionId) {
      const rows = await db
        .deleteFrom('sso_enablements')
        .where('connection_id', '=', connectionId)
        .returning('tenant_id')
        .execute();
      return rows.map((r) => r.tenant_id).sort();
    },
    async enabledConnectionIds(tenantId) {
      const rows = await db
        .selectFrom('sso_enablements')
        .select('connection_id')
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => r.connection_id);
    },
    async isEnabledFor(tenantId, connectionId) {
      const r = await db
        .selectFrom('sso_enablements')
        .select('tenant_id')
        .where('tenant_id', '=', tenantId)
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}
