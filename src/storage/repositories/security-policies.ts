import type { Kysely } from 'kysely';
import type { SecurityPolicyRepo } from '../../domain/mfa.js';
import type { PolicySettings } from '../../domain/security-policy.js';
import type { Database } from '../schema.js';

export function securityPolicyRepo(db: Kysely<Database>): SecurityPolicyRepo {
  return {
    async forTenants(tenantIds) {
      const out = new Map<string, PolicySettings>();
      if (tenantIds.length === 0) return out;
      const rows = await db
        .selectFrom('tenant_security_policies')
        .select(['tenant_id', 'settings'])
        .where('tenant_id', 'in', [...tenantIds])
        .execute();
      for (const r of rows) out.set(r.tenant_id, r.settings as PolicySettings);
      return out;
    },
    async put(tenantId, settings, now) {
      if (Object.keys(settings).length === 0) {
        await db.deleteFrom('tenant_security_policies').where('tenant_id', '=', tenantId).execute();
        return;
      }
      const json = JSON.stringify(settings);
      await db
        .insertInto('tenant_security_policies')
        .values({ tenant_id: tenantId, settings: json, updated_at: now })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: json, updated_at: now }))
        .execute();
    },
  };
}
