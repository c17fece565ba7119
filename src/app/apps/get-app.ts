import type { Ctx } from '../context.js';
import { type AppOwner, type AppsDeps, type AppView, appView, authorizeApps, findOwnedApp } from './app-access.js';

/** One app of the owner; another tenant's answers 404 like a missing one. */
export async function getApp(deps: AppsDeps, ctx: Ctx | null, owner: AppOwner, appId: string): Promise<AppView> {
  await authorizeApps(deps, ctx, owner);
  return deps.store.read(async (r) => appView(await findOwnedApp(r, owner, appId)));
}
