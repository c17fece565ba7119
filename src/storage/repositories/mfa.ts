import { type Kysely, type Selectable, sql } from 'kysely';
import type { Factor, MfaRepo } from '../../domain/mfa.js';
import type { FactorKind } from '../../domain/security-policy.js';
import type { Database, UserFactorsTable } from '../schema.js';

type FactorRow = Pick<
  Selectable<UserFactorsTable>,
  'id' | 'tenant_id' | 'user_id' | 'kind' | 'label' | 'created_at' | 'confirmed_at' | 'last_used_at'
>;

const toFactor = (r: FactorRow): Factor => ({
  id: r.id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  kind: r.kind as FactorKind,
  label: r.label,
  createdAt: r.created_at,
  confirmedAt: r.confirmed_at,
  lastUsedAt: r.last_used_at,
});

const FACTOR_COLUMNS = [
  'id',
  'tenant_id',
  'user_id',
  'kind',
  'label',
  'created_at',
  'confirmed_at',
  'last_used_at',
  'secret_sealed',
  'last_used_step',
] as const;

/** Every statement names the user's home tenant: factors are tenant data like the user itself. */
export function mfaRepo(db: Kysely<Database>): MfaRepo {
  return {
    async listFactors(tenantId, userId) {
      const rows = await db
        .selectFrom('user_factors')
        .select(FACTOR_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toFactor);
    },
    async insertFactor(f) {
      await db
        .insertInto('user_factors')
        .values({
          id: f.id,
          tenant_id: f.tenantId,
          user_id: f.userId,
          kind: f.kind,
          label: f.label,
          secret_sealed: f.secretSealed,
          last_used_step: null,
          created_at: f.createdAt,
          confirmed_at: f.confirmedAt,
          last_used_at: f.lastUsedAt,
        })
        .execute();
    },
    async totpFactor(tenantId, userId) {
      const r = await db
        .selectFrom('user_factors')
        .select(FACTOR_COLUMNS)
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('kind', '=', 'totp')
        .executeTakeFirst();
      if (!r?.secret_sealed) return undefined;
      return {
        ...toFactor(r),
        secretSealed: r.secret_sealed,
        lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
      };
    },
    async useStep(tenantId, factorId, step, now, confirm = false) {
      // The WHERE clause is the whole replay guarantee: of two requests with the same code, on
      // any number of instances, one updates the row and the other finds nothing to update.
      const r = await db
        .updateTable('user_factors')
        .set({
          last_used_step: step,
          last_used_at: now,
          ...(confirm ? { confirmed_at: sql<Date>`coalesce(confirmed_at, ${now})` } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', factorId)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteFactor(tenantId, userId, factorId) {
      const r = await db
        .deleteFrom('user_factors')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('id', '=', factorId)
        .returning(FACTOR_COLUMNS)
        .executeTakeFirst();
      return r && toFactor(r);
    },
    async deleteAll(tenantId, userId) {
      const rows = await db
        .deleteFrom('user_factors')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .returning(['kind'])
        .execute();
      await db
        .deleteFrom('user_recovery_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => r.kind as FactorKind);
    },
    async replaceRecoveryCodes(tenantId, userId, hashes, ids, now) {
      await db
        .deleteFrom('user_recovery_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      if (hashes.length === 0) return;
      await db
        .insertInto('user_recovery_codes')
        .values(
          hashes.map((h, i) => ({
            id: ids[i] as string,
            tenant_id: tenantId,
            user_id: userId,
            code_hash: h,
            created_at: now,
            used_at: null,
          })),
        )
        .execute();
    },
    async consumeRecoveryCode(tenantId, userId, hash, now) {
      const r = await db
        .updateTable('user_recovery_codes')
        .set({ used_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .returning(['id'])
        .executeTakeFirst();
      return r !== undefined;
    },
    async insertPasskey(f) {
      await db
        .insertInto('user_factors')
        .values({
          id: f.id,
          tenant_id: f.tenantId,
          user_id: f.userId,
          kind: 'passkey',
          label: f.label,
          secret_sealed: null,
          last_used_step: null,
          credential_id: f.credentialId,
          public_key: f.publicKey,
          sign_count: f.counter,
          transports: JSON.stringify(f.transports),
          created_at: f.createdAt,
          confirmed_at: f.confirmedAt,
          last_used_at: f.lastUsedAt,
        })
        .execute();
    },
    async findPasskey(tenantId, credentialId, userId) {
      let q = db
        .selectFrom('user_factors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'passkey')
        .where('credential_id', '=', credentialId);
      if (userId) q = q.where('user_id', '=', userId);
      const r = await q.executeTakeFirst();
      if (!r?.credential_id || !r.public_key) return undefined;
      return {
        factor: toFactor(r),
        id: r.credential_id,
        publicKey: r.public_key,
        counter: Number(r.sign_count ?? 0),
        transports: Array.isArray(r.transports) ? r.transports : [],
      };
    },
    async listPasskeyIds(tenantId, userId) {
      const rows = await db
        .selectFrom('user_factors')
        .select('credential_id')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('kind', '=', 'passkey')
        .execute();
      return rows.flatMap((r) => (r.credential_id ? [r.credential_id] : []));
    },
    async usePasskey(tenantId, factorId, counter, now) {
      // A counter that does not grow means a cloned key or a replayed assertion: refused, in
      // the same statement that records the use, so two racing assertions cannot both pass.
      const r = await db
        .updateTable('user_factors')
        .set({ sign_count: counter, last_used_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', factorId)
        .where(sql<boolean>`(sign_count < ${counter} OR (sign_count = 0 AND ${counter}::bigint = 0))`)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async remainingRecoveryCodes(tenantId, userId) {
      const r = await db
        .selectFrom('user_recovery_codes')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
