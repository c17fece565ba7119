import type { Ctx } from '../context.js';
import { type AppOwner, type AppsDeps, type AppView, appView, authorizeApps, ownerTenantId } from './app-access.js';

/** The apps of a tenant (or the operator's own), by name; never a secret's hash. */
export async function listApps(deps: AppsDeps, ctx: Ctx | null, owner: Exclude<AppOwner, 'any'>): Promise<AppView[]> {
  await authorizeApps(deps, ctx, owner);
  return deps.store.read(async (r) => (await r.apps.list(await ownerTenantId(r, owner))).map(appView));
}
