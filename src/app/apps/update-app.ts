import { registrationProblems } from '../../domain/app-registration.js';
import { type AppPatch, DECISIONS_SCOPE } from '../../domain/apps.js';
import { AppError } from '../../domain/errors.js';
import type { Ctx } from '../context.js';
import {
  type AppOwner,
  type AppsDeps,
  type AppView,
  appView,
  auditApp,
  authorizeApps,
  findOwnedApp,
} from './app-access.js';

/** What an update may change. Kind and method stay: changing them is a new app with new credentials. */
export type UpdateAppInput = Omit<AppPatch, 'secretHash'>;

const unique = <T>(xs: readonly T[] | undefined): T[] | undefined => (xs === undefined ? undefined : [...new Set(xs)]);

/**
 * Changes an app; the whole resulting registration must pass the rules again. `expectedVersion`
 * (If-Match) guards against overwriting someone else's change (`resource.stale`).
 */
export async function updateApp(
  deps: AppsDeps,
  ctx: Ctx | null,
  owner: AppOwner,
  appId: string,
  input: UpdateAppInput,
  expectedVersion?: number,
): Promise<AppView> {
  await authorizeApps(deps, ctx, owner);
  // Field by field, not a spread: nothing else (a secret hash above all) reaches the repository.
  const patch: AppPatch = Object.fromEntries(
    Object.entries({
      name: input.name?.trim(),
      backchannelLogoutUri: input.backchannelLogoutUri,
      firstParty: input.firstParty,
      enabled: input.enabled,
      jwks: input.jwks,
      redirectUris: unique(input.redirectUris),
      postLogoutRedirectUris: unique(input.postLogoutRedirectUris),
      scopes: unique(input.scopes),
      grantTypes: unique(input.grantTypes),
    }).filter(([, v]) => v !== undefined),
  );
  return deps.store.transaction(async (r) => {
    const current = await findOwnedApp(r, owner, appId);
    // Marking an app first-party is the operator's call; an app the operator marked so stays
    // editable by its tenant's administrators.
    const errors = registrationProblems(
      { ...current, ...patch },
      {
        operator: ctx === null || patch.firstParty !== true,
        // Like first-party: giving the scope needs decisions.read; keeping what an app has does not.
        mayAllowDecisions:
          ctx === null || current.scopes.includes(DECISIONS_SCOPE) || ctx.actor.permissions.has('decisions.read'),
      },
    );
    if (errors.length) throw new AppError('app.invalid', 'The app registration is invalid', { errors });
    const now = deps.clock.now();
    const updated = await r.apps.update(current.tenantId, appId, patch, now, expectedVersion);
    const { jwks, ...described } = patch;
    await auditApp(r, ctx, now, updated, {
      action: 'app.updated',
      details: {
        ...described,
        ...(jwks !== undefined ? { keys: jwks?.keys.length ?? 0 } : {}),
      },
    });
    return appView(updated);
  });
}
