import type { App } from '../../domain/apps.js';
import type { TokenCrypto } from '../../domain/auth-ports.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { Repos } from '../../domain/ports.js';
import { type AppDeps, audit, type Ctx, requirePermission } from '../context.js';
import { assertActingTenant } from '../tenant-reach.js';

/** What the app use cases need: the usual deps and the secret generator (compose wires it). */
export type AppsDeps = AppDeps & { tokens: TokenCrypto };

/**
 * Whose apps a call works on. The API names the tenant it acts in by id; the operator (CLI,
 * ctx null) names a tenant by slug, its own installation-wide apps (`operator`), or — for
 * rotate and remove by client_id — any app (`any`): it stands above the tenant tree.
 */
export type AppOwner = { tenantId: string } | { tenantSlug: string } | 'operator' | 'any';

/** The answer's view of an app: never the secret's hash, only whether there is a secret. */
export type AppView = Omit<App, 'secretHash'> & { hasSecret: boolean };

export const appView = ({ secretHash, ...rest }: App): AppView => ({ ...rest, hasSecret: secretHash !== null });

/** Prefixes let secret scanners recognise a leaked client secret, and people tell the two apart. */
export const CLIENT_ID_PREFIX = 'app_';
export const CLIENT_SECRET_PREFIX = 'ks_';

// randomToken is 32 random bytes in base64url; its first 22 characters carry 132 random bits,
// the 16 bytes and a little more, so a client_id is unguessable but short.
export const newClientId = (t: TokenCrypto): string => `${CLIENT_ID_PREFIX}${t.randomToken().slice(0, 22)}`;
export const newClientSecret = (t: TokenCrypto): string => `${CLIENT_SECRET_PREFIX}${t.randomToken()}`;

/**
 * Deny by default: the operator may do anything; anyone else only in the tenant it acts in, with
 * `apps.manage`. Runs before any transaction, as every use case's authorization does.
 */
export async function authorizeApps(deps: AppDeps, ctx: Ctx | null, owner: AppOwner): Promise<void> {
  if (ctx === null) return;
  if (typeof owner !== 'object' || !('tenantId' in owner)) {
    throw new AppError('auth.forbidden', 'Only the operator manages installation-wide apps');
  }
  await assertActingTenant(deps, ctx, owner.tenantId);
  requirePermission(ctx.actor, 'apps.manage', deps.catalogue);
}

/** The tenant id the owner stands for (null: the operator's apps); an unknown slug is 404. */
export async function ownerTenantId(r: Repos, owner: Exclude<AppOwner, 'any'>): Promise<string | null> {
  if (owner === 'operator') return null;
  if ('tenantId' in owner) return owner.tenantId;
  const t = await r.tenants.findBySlug(owner.tenantSlug);
  if (!t) throw new AppError('resource.not_found', `No tenant ${owner.tenantSlug}`);
  return t.id;
}

/**
 * The app if the owner may see it. Another tenant's app answers exactly like a missing one, so
 * a client_id reveals nothing across tenants. An app's owner never changes, so the check holds
 * for the rest of the transaction.
 */
export async function findOwnedApp(r: Repos, owner: AppOwner, appId: string): Promise<App> {
  const app = await r.apps.findById(appId);
  if (!app) throw notFound('app');
  if (owner !== 'any' && app.tenantId !== (await ownerTenantId(r, owner))) throw notFound('app');
  return app;
}

type AppAction = 'app.created' | 'app.updated' | 'app.secret_rotated' | 'app.deleted';

/**
 * Audits a change of an app in its tenant's log; an operator app's in the root provider's, where
 * installation-wide changes go (as the role file's). Details never carry a secret or its hash.
 */
export async function auditApp(
  r: Repos,
  ctx: Ctx | null,
  now: Date,
  app: Pick<App, 'id' | 'tenantId'>,
  { action, details }: { action: AppAction; details: Record<string, unknown> },
): Promise<void> {
  const tenantId = app.tenantId ?? (await r.tenants.findRoot())?.id;
  if (!tenantId) throw new AppError('resource.not_found', 'Kontor is not initialised: run `kontor init` first');
  await audit(r, ctx, now, {
    tenantId,
    action,
    targetType: 'app',
    targetId: app.id,
    details: { ...details, ...(ctx === null ? { by: 'operator' } : {}) },
  });
}
