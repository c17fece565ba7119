import { AppError } from '../../domain/errors.js';
import type { AuthDeps, Principal } from './auth-deps.js';
import { ownUser, sessionOnly } from './mfa-enrolment.js';
import { type FactorProof, proveSecondFactor } from './second-factor.js';
import { openSession } from './sessions.js';

/**
 * Proves a second factor for the current session (a session opened through SSO, or before a
 * policy began to require one): the session is replaced by one whose amr adds `otp`, under a
 * new id, with the same absolute end. Throttled and replay-checked like any code.
 */
export async function verifyFactorForSession(
  deps: AuthDeps,
  p: Principal,
  proof: FactorProof,
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  sessionOnly(p);
  const user = await ownUser(deps, p);
  const by = await proveSecondFactor(
    deps,
    p.ctx.meta,
    { tenantId: user.tenantId, userId: user.id, actor: p.ctx.actor },
    proof,
  );
  return deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    const current = p.sessionHash ? await r.sessions.findLive(p.sessionHash, now, new Date(0)) : undefined;
    const tenant = await r.tenants.findById(user.tenantId);
    if (!current || !tenant) throw new AppError('auth.unauthenticated');
    await r.sessions.revoke(current.idHash, now);
    const opened = await openSession(r, deps, p.ctx.meta, {
      user,
      tenant,
      expiresAt: current.expiresAt,
      details: { method: 'second_factor', secondFactor: by },
      amr: [...new Set([...current.amr, by === 'passkey' ? 'hwk' : 'otp'])],
    });
    // Acting through a share stays as it was: the proof is the same person's.
    if (current.actingTenantId !== current.homeTenantId) {
      await r.sessions.setActingTenant(deps.tokens.hash(opened.sessionId), current.actingTenantId);
    }
    return opened;
  });
}
