import type { Kysely, Selectable } from 'kysely';
import type { IdentityLink, SsoFlow, SsoRepo } from '../../domain/sso.js';
import type { Database, SsoLinksTable } from '../schema.js';
import { endOidcGrants } from './oidc-payloads.js';
import type { ConnectionPart } from './sso-connections.js';
import { upsertVerifiedEmail } from './users.js';

const toLink = (r: Selectable<SsoLinksTable>): IdentityLink => ({
  tenantId: r.tenant_id,
  userId: r.user_id,
  connectionId: r.connection_id,
  issuer: r.issuer,
  subject: r.subject,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

type LinkPart = Omit<SsoRepo, keyof ConnectionPart>;

/** Identity links, flow state, verified addresses and the identity behind a session. */
export function ssoLinkRepo(db: Kysely<Database>): LinkPart {
  return {
    async insertLink(l) {
      await db
        .insertInto('sso_links')
        .values({
          tenant_id: l.tenantId,
          user_id: l.userId,
          connection_id: l.connectionId,
          issuer: l.issuer,
          subject: l.subject,
          created_at: l.createdAt,
          created_by: l.createdBy,
        })
        .execute();
    },
    async findLink(tenantId, connectionId, issuer, subject) {
      const r = await db
        .selectFrom('sso_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('connection_id', '=', connectionId)
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return r && toLink(r);
    },
    async linksOfIdentity(issuer, subject) {
      const rows = await db
        .selectFrom('sso_links')
        .selectAll()
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .orderBy('created_at')
        .execute();
      return rows.map(toLink);
    },
    async listLinks(tenantId, userId) {
      const rows = await db
        .selectFrom('sso_links')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute();
      return rows.map(toLink);
    },
    async deleteLink(tenantId, userId, connectionId) {
      const r = await db
        .deleteFrom('sso_links')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('connection_id', '=', connectionId)
        .returningAll()
        .executeTakeFirst();
      // The apps' grants of that user in that tenant end with the link (an MSP's way in).
      if (r) await endOidcGrants(db, { accountId: userId, tenantId }, new Date());
      return r && toLink(r);
    },
    async insertFlow(f: SsoFlow) {
      await db
        .insertInto('sso_flows')
        .values({
          state_hash: f.stateHash,
          browser_hash: f.browserHash,
          connection_id: f.connectionId,
          tenant_id: f.tenantId,
          nonce: f.nonce,
          code_verifier: f.codeVerifier,
          return_to: f.returnTo,
          link_user_id: f.linkUserId,
          created_at: f.createdAt,
          expires_at: f.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async consumeFlow(stateHash, now) {
      // One statement: two callbacks racing with the same state cannot both get the flow.
      const r = await db
        .updateTable('sso_flows')
        .set({ used_at: now })
        .where('state_hash', '=', stateHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        stateHash: r.state_hash,
        browserHash: r.browser_hash,
        connectionId: r.connection_id,
        tenantId: r.tenant_id,
        nonce: r.nonce,
        codeVerifier: r.code_verifier,
        returnTo: r.return_to,
        linkUserId: r.link_user_id,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      };
    },
    async verifiedEmail(tenantId, userId) {
      const r = await db
        .selectFrom('user_verified_emails')
        .select('email')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r?.email;
    },
    async usersByVerifiedEmail(tenantId, email) {
      const rows = await db
        .selectFrom('user_verified_emails')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .execute();
      return rows.map((r) => r.user_id);
    },
    setVerifiedEmail: (tenantId, userId, email, now) => upsertVerifiedEmail(db, tenantId, userId, email, now),
    async rememberSessionIdentity(sessionIdHash, id) {
      await db
        .insertInto('sso_sessions')
        .values({
          session_id_hash: sessionIdHash,
          connection_id: id.connectionId,
          issuer: id.issuer,
          subject: id.subject,
        })
        .execute();
    },
    async endSessionsThrough(connectionId, only, now) {
      let q = db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('revoked_at', 'is', null)
        .where('id_hash', 'in', (eb) =>
          eb.selectFrom('sso_sessions').select('session_id_hash').where('connection_id', '=', connectionId),
        );
      if (only.userId) q = q.where('user_id', '=', only.userId);
      if (only.homeTenantId) q = q.where('home_tenant_id', '=', only.homeTenantId);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async sessionIdentity(sessionIdHash) {
      return db
        .selectFrom('sso_sessions')
        .select(['connection_id as connectionId', 'issuer', 'subject'])
        .where('session_id_hash', '=', sessionIdHash)
        .executeTakeFirst();
    },
  };
}
