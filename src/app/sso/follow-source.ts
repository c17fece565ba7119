import type { ConnectionPatch, SsoConnection, SsoRepos } from '../../domain/sso.js';
import { audit, type Ctx } from '../context.js';

/**
 * What decides who gets in as whom through a connection. A descendant opted in to the
 * connection as it was; a change of any of these voids its enablement (issue 20 #3): it must look
 * at the new terms and opt in again. Name, algorithms and the secret change nothing of that.
 */
const TERMS = ['issuer', 'clientId', 'scopes', 'claimMapping', 'linkPolicy', 'jitRoles', 'vouchedDomains'] as const;

const same = (a: unknown, b: unknown): boolean => stable(a) === stable(b);
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The terms a patch really changes (a field sent with its current value is no change). */
export function changedTerms(current: SsoConnection, patch: ConnectionPatch): string[] {
  const changed: string[] = TERMS.filter((k) => patch[k] !== undefined && !same(patch[k], current[k]));
  if (patch.offeredToSubtree === false && current.offeredToSubtree) changed.push('offeredToSubtree');
  return changed;
}

/**
 * Voids every descendant's enablement of the connection, in the caller's transaction: each such
 * tenant's log says why, and the sessions its users opened through the connection end. Tenants
 * are written in id order, so two such changes cannot wait on each other's audit chains in a
 * circle (decision 0001 §9); a deadlock with other writers is retried by the unit of work.
 */
export async function voidEnablements(
  r: SsoRepos,
  ctx: Ctx,
  now: Date,
  c: SsoConnection,
  why: { reason: 'terms_changed' | 'no_longer_offered' | 'connection_deleted'; changed?: string[] },
): Promise<string[]> {
  const tenants = await r.sso.voidEnablements(c.id);
  for (const tenantId of tenants) {
    const sessionsEnded = await r.sso.endSessionsThrough(c.id, { homeTenantId: tenantId }, now);
    await audit(r, ctx, now, {
      tenantId,
      action: 'sso.enablement.voided',
      targetType: 'sso_connection',
      targetId: c.id,
      details: { ownerTenantId: c.tenantId, name: c.name, ...why, sessionsEnded },
      reference: false, // the owner's own event lists the tenants
    });
  }
  return tenants;
}
