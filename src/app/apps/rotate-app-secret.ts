import { usesSecret } from '../../domain/app-registration.js';
import { AppError } from '../../domain/errors.js';
import type { Ctx } from '../context.js';
import {
  type AppOwner,
  type AppsDeps,
  appView,
  auditApp,
  authorizeApps,
  findOwnedApp,
  newClientSecret,
} from './app-access.js';
import type { CreatedApp } from './create-app.js';

/**
 * Gives the app a new client secret, shown this once. The old one stops working with the commit:
 * only the new hash is stored, and there is no overlap — a leaked secret is what rotation is for.
 */
export async function rotateAppSecret(
  deps: AppsDeps,
  ctx: Ctx | null,
  owner: AppOwner,
  appId: string,
): Promise<CreatedApp & { clientSecret: string }> {
  await authorizeApps(deps, ctx, owner);
  const secret = newClientSecret(deps.tokens);
  return deps.store.transaction(async (r) => {
    const current = await findOwnedApp(r, owner, appId);
    if (!usesSecret(current.authMethod)) {
      throw new AppError('app.no_secret', `The app authenticates with ${current.authMethod}, not a client secret`);
    }
    const now = deps.clock.now();
    const updated = await r.apps.update(current.tenantId, appId, { secretHash: deps.tokens.hash(secret) }, now);
    await auditApp(r, ctx, now, updated, { action: 'app.secret_rotated', details: { name: updated.name } });
    return { ...appView(updated), clientSecret: secret };
  });
}
