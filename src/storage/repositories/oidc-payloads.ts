import { type Kysely, sql } from 'kysely';
import type { OidcGrantFilter, OidcLogoutTarget, OidcPayload, OidcPayloadRepo } from '../../domain/oidc.js';
import { OIDC_LOGOUT_TOPIC } from '../../domain/oidc.js';
import type { Database } from '../schema.js';
import { outboxRepo } from './outbox.js';

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const epoch = (d: Date | string): number => Math.floor(new Date(d).getTime() / 1000);

/**
 * Ends OP grants in the caller's transaction: the grants' rows, every code and token issued
 * under them and, for a whole account, its OP sessions, so neither a refresh nor a silent
 * `prompt=none` can bring them back. Apps with a back-channel logout URI that had a session
 * served by an ended grant get a logout queued in the same commit (the worker sends it).
 * Called by the repositories that end a user's access (a lock, an ended share, a removed role).
 * `tokensOnly` keeps the grants (consent, tenant) and sessions: the next silent sign-in works.
 */
export async function endOidcGrants(db: Kysely<Database>, f: OidcGrantFilter, now: Date): Promise<number> {
  let g = db
    .selectFrom('oidc_payloads')
    .select('id')
    .where('model', '=', 'Grant')
    .where('account_id', '=', f.accountId);
  if (f.tenantId) g = g.where('tenant_id', '=', f.tenantId);
  const grants = new Set((await g.execute()).map((r) => r.id));
  const ids = [...grants];
  // An OP session's account may have moved on to an SSO-linked user of the same person (a
  // switch into a customer): the apps it served under an ended grant are found by the grant.
  const sessions = await db
    .selectFrom('oidc_payloads')
    .select(['payload', 'account_id'])
    .where('model', '=', 'Session')
    .where((eb) =>
      ids.length === 0
        ? eb('account_id', '=', f.accountId)
        : eb.or([
            eb('account_id', '=', f.accountId),
            sql<boolean>`EXISTS (SELECT 1 FROM jsonb_each(payload->'authorizations') a
              WHERE a.value->>'grantId' IN (${sql.join(ids)}))`,
          ]),
    )
    .execute();
  const targets: OidcLogoutTarget[] = [];
  for (const s of sessions) {
    const auths = ((s.payload as OidcPayload).authorizations ?? {}) as Record<
      string,
      { sid?: string; grantId?: string }
    >;
    const own = s.account_id === f.accountId;
    for (const [clientId, a] of Object.entries(auths)) {
      const ended = a?.grantId !== undefined && grants.has(a.grantId);
      if (!a?.sid || !(ended || (own && !f.tenantId))) continue;
      targets.push({ clientId, accountId: f.accountId, sid: a.sid });
    }
  }
  if (grants.size > 0) {
    await db
      .deleteFrom('oidc_payloads')
      .where((eb) =>
        f.tokensOnly
          ? eb('grant_id', 'in', ids)
          : eb.or([eb('grant_id', 'in', ids), eb.and([eb('model', '=', 'Grant'), eb('id', 'in', ids)])]),
      )
      .execute();
  }
  if (!f.tenantId && !f.tokensOnly)
    await db.deleteFrom('oidc_payloads').where('account_id', '=', f.accountId).execute();
  if (targets.length > 0) {
    const withLogout = new Set(
      (
        await db
          .selectFrom('oidc_apps')
          .select('id')
          .where(
            'id',
            'in',
            targets.map((t) => t.clientId),
          )
          .where('backchannel_logout_uri', 'is not', null)
          .execute()
      ).map((r) => r.id),
    );
    const outbox = outboxRepo(db);
    for (const t of targets) if (withLogout.has(t.clientId)) await outbox.enqueue(OIDC_LOGOUT_TOPIC, t, now);
  }
  return grants.size;
}

/**
 * A tenant stops being active (suspended): the apps' grants acting for it end, and its own
 * users' grants everywhere (a suspended home tenant stops its users in every tenant). One call
 * per account concerned, in the caller's transaction.
 */
export async function endOidcGrantsOfTenant(db: Kysely<Database>, tenantId: string, now: Date): Promise<void> {
  const home = await db
    .selectFrom('oidc_payloads')
    .select('account_id')
    .distinct()
    .where('model', '=', 'Grant')
    .where(sql<boolean>`account_id IN (SELECT id::text FROM users WHERE tenant_id = ${tenantId})`)
    .execute();
  const homeIds = new Set(home.map((r) => r.account_id as string));
  for (const accountId of homeIds) await endOidcGrants(db, { accountId }, now);
  const acting = await db
    .selectFrom('oidc_payloads')
    .select('account_id')
    .distinct()
    .where('model', '=', 'Grant')
    .where('tenant_id', '=', tenantId)
    .execute();
  for (const r of acting) {
    if (r.account_id && !homeIds.has(r.account_id)) await endOidcGrants(db, { accountId: r.account_id, tenantId }, now);
  }
}

export function oidcPayloadRepo(db: Kysely<Database>): OidcPayloadRepo {
  const findWhere = async (model: string, col: 'id' | 'uid' | 'user_code', value: string, now: Date) => {
    const r = await db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at'])
      .where('model', '=', model)
      .where(col, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (!r) return undefined;
    const p = r.payload as OidcPayload;
    return r.consumed_at ? { ...p, consumed: epoch(r.consumed_at) } : p;
  };
  return {
    async upsert(model, id, payload, expiresAt) {
      const cols = {
        payload: JSON.stringify(payload),
        account_id: str(payload.accountId),
        grant_id: str(payload.grantId),
        uid: str(payload.uid),
        user_code: str(payload.userCode),
        expires_at: expiresAt,
      };
      // The acting tenant (setGrantTenant) survives a re-save of the grant: not in the update.
      await db
        .insertInto('oidc_payloads')
        .values({ model, id, ...cols, consumed_at: null, tenant_id: null, home_tenant_id: null })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(cols))
        .execute();
    },
    find: (model, id, now) => findWhere(model, 'id', id, now),
    findByUid: (model, uid, now) => findWhere(model, 'uid', uid, now),
    findByUserCode: (model, code, now) => findWhere(model, 'user_code', code, now),
    async consume(model, id, now) {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: now })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .execute();
    },
    async destroy(model, id) {
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(model, grantId) {
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('grant_id', '=', grantId).execute();
    },
    async setGrantTenant(grantId, tenantId, homeTenantId = null) {
      await db
        .updateTable('oidc_payloads')
        .set({ tenant_id: tenantId, home_tenant_id: homeTenantId })
        .where('model', '=', 'Grant')
        .where('id', '=', grantId)
        .execute();
    },
    async grantPlace(grantId, now) {
      const r = await db
        .selectFrom('oidc_payloads')
        .select(['tenant_id', 'home_tenant_id'])
        .where('model', '=', 'Grant')
        .where('id', '=', grantId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      return r?.tenant_id ? { tenantId: r.tenant_id, homeTenantId: r.home_tenant_id } : undefined;
    },
    async hasLiveGrant(accountId, clientId, tenantId, now) {
      const r = await db
        .selectFrom('oidc_payloads')
        .select('id')
        .where('model', '=', 'Grant')
        .where('account_id', '=', accountId)
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`payload->>'clientId' = ${clientId}`)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      return r !== undefined;
    },
    endGrants: (f, now) => endOidcGrants(db, f, now),
  };
}
