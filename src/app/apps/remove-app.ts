import { notFound } from '../../domain/errors.js';
import type { Ctx } from '../context.js';
import { type AppOwner, type AppsDeps, auditApp, authorizeApps, findOwnedApp } from './app-access.js';

/** Removes an app; its client_id authenticates nothing from the commit on. */
export async function removeApp(deps: AppsDeps, ctx: Ctx | null, owner: AppOwner, appId: string): Promise<void> {
  await authorizeApps(deps, ctx, owner);
  await deps.store.transaction(async (r) => {
    const app = await findOwnedApp(r, owner, appId);
    // A concurrent removal got there first: this one answers as if the app never existed.
    if (!(await r.apps.delete(app.tenantId, appId))) throw notFound('app');
    await auditApp(r, ctx, deps.clock.now(), app, {
      action: 'app.deleted',
      details: { name: app.name },
    });
  });
}
