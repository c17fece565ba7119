import type { ScimRepos } from '../../domain/scim.js';
import type { AppDeps, Ctx } from '../context.js';
import { setUserState, updateUser } from '../manage-user.js';
import { attestScimEmail } from './attest-scim-email.js';
import { setExternalId } from './external-id.js';
import { renameLogin } from './rename-login.js';
import { fieldValuesFor, modelOf, type ScimUserModel, type ScimUserRecord, stateFor } from './scim-model.js';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Custom field changes as updateUser merges them: changed values, and null for removed keys. */
function fieldChanges(before: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  // A null prototype: a key named __proto__ stays a key, and validation refuses it.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(next)) if (!Object.hasOwn(before, k) || !sameJson(before[k], v)) out[k] = v;
  for (const k of Object.keys(before)) if (!Object.hasOwn(next, k)) out[k] = null;
  return { ...out };
}

/**
 * Makes a user what `change` wants, through the use cases (renameLogin, updateUser, setUserState)
 * on the caller's transaction (`d` is joined to it), which holds the user's row lock, then a
 * `verified` claim (attestScimEmail). Only what differs is written, so an Entra PATCH that
 * repeats current values writes no audit event.
 */
export async function reconcileUser(
  d: AppDeps,
  repos: ScimRepos,
  ctx: Ctx,
  before: ScimUserRecord,
  change: (current: ScimUserModel) => ScimUserModel,
): Promise<void> {
  const { user } = before;
  const current = modelOf(user, before.externalId);
  const next = change(current);
  if (next.userName !== user.loginName) {
    await renameLogin(repos, d, ctx, { user, loginName: next.userName });
  }
  const defs = await repos.fields.list(user.tenantId);
  const fields = fieldChanges(user.customFields, fieldValuesFor(defs, next));
  const displayName = next.displayName ?? next.userName;
  const profile = {
    ...(next.email !== user.email ? { email: next.email } : {}),
    ...(displayName !== user.displayName ? { displayName } : {}),
    ...(Object.keys(fields).length > 0 ? { customFields: fields } : {}),
  };
  if (Object.keys(profile).length > 0) {
    // No expectedVersion: the caller holds the user's row lock, so nobody changed it since `before`.
    await updateUser(d, ctx, { userId: user.id, ...profile });
  }
  const state = stateFor(user.state, next.active);
  if (state !== user.state) await setUserState(d, ctx, { userId: user.id, state, reason: 'scim' });
  if (next.externalId !== before.externalId) {
    await setExternalId(repos, d, ctx, {
      type: 'User',
      tenantId: user.tenantId,
      id: user.id,
      externalId: next.externalId,
    });
  }
  // After the profile: a changed address lost its mark there, and the claim is about the new one.
  if (next.claimsVerified) await attestScimEmail(d, repos, ctx, user.tenantId, user.id);
}
