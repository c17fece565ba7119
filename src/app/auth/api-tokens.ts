import type { ApiToken } from '../../domain/auth-ports.js';
import { AppError, notFound } from '../../domain/errors.js';
import { Checker } from '../../domain/validation.js';
import { assertNoErrors } from '../context.js';
import { type AuthDeps, authAudit, type Principal, seconds } from './auth-deps.js';
import { assertMayActFor } from './sessions.js';

/** Prefix of every API token: lets secret scanners recognise a leaked one. */
export const TOKEN_PREFIX = 'kt_';

export interface CreateTokenInput {
  name: unknown;
  expiresAt?: unknown;
  actingTenantId?: unknown;
}

const DEFAULT_DAYS = 90;

/**
 * A user creates an API token for himself, acting for one tenant he may act for now. The
 * secret is returned once and stored only as its hash. Only an interactive session mints
 * tokens: a token that could mint tokens would outlive its own expiry.
 */
export async function createApiToken(
  deps: AuthDeps,
  p: Principal,
  input: CreateTokenInput,
): Promise<ApiToken & { token: string }> {
  if (p.kind !== 'session') throw new AppError('auth.forbidden', 'API tokens are created from a signed-in session');
  const now = deps.clock.now();
  const c = new Checker();
  const name = c.string('name', input.name, { max: 100 })?.trim();
  const acting =
    c.string('actingTenantId', input.actingTenantId, { max: 36, optional: true }) ?? p.ctx.actor.actingTenantId;
  const raw = c.string('expiresAt', input.expiresAt, { max: 40, optional: true });
  const expiresAt = raw === undefined ? seconds(now, DEFAULT_DAYS * 86400) : new Date(raw);
  const latest = seconds(now, deps.settings.tokenMaxDays * 86400);
  if (raw !== undefined && (Number.isNaN(expiresAt.getTime()) || expiresAt <= now || expiresAt > latest)) {
    c.fail('expiresAt', 'range', `A future time within ${deps.settings.tokenMaxDays} days`);
  }
  if (name === '') c.fail('name', 'too_short', 'At least 1 character');
  assertNoErrors(c.errors);
  const { actor } = p.ctx;
  await assertMayActFor(deps, actor, acting);
  const secret = `${TOKEN_PREFIX}${deps.tokens.randomToken()}`;
  const token: ApiToken = {
    id: deps.ids.newId(),
    userId: actor.userId,
    homeTenantId: actor.homeTenantId,
    actingTenantId: acting,
    name: name as string,
    createdAt: now,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
  };
  await deps.authStore.transaction(async (r) => {
    await r.apiTokens.insert({ ...token, tokenHash: deps.tokens.hash(secret) });
    await authAudit(r, p.ctx.meta, now, {
      tenantId: actor.homeTenantId,
      action: 'auth.token_created',
      targetType: 'api_token',
      targetId: token.id,
      actor,
      details: { name: token.name, actingTenantId: acting, expiresAt: expiresAt.toISOString() },
    });
  });
  return { ...token, token: secret };
}

export async function listApiTokens(deps: AuthDeps, p: Principal): Promise<ApiToken[]> {
  return deps.authStore.read((r) => r.apiTokens.listForUser(p.ctx.actor.userId));
}

/** Revokes one of the caller's own tokens; another user's token id answers like a missing one. */
export async function revokeApiToken(deps: AuthDeps, p: Principal, id: string): Promise<void> {
  const { actor } = p.ctx;
  await deps.authStore.transaction(async (r) => {
    const now = deps.clock.now();
    if (!(await r.apiTokens.revoke(actor.userId, id, now))) throw notFound('token');
    await authAudit(r, p.ctx.meta, now, {
      tenantId: actor.homeTenantId,
      action: 'auth.token_revoked',
      targetType: 'api_token',
      targetId: id,
      actor,
    });
  });
}
