import { validateFieldValues } from '../domain/custom-fields.js';
import { AppError } from '../domain/errors.js';
import { isValidEmail, type User, type UserState } from '../domain/user.js';
import { Checker } from '../domain/validation.js';
import { type AppDeps, assertNoErrors, audit, type Ctx } from './context.js';
import { queueEmailVerification } from './email-verification.js';
import { changedBySomeoneElse, queueMail } from './mail-outbox.js';
import { findManagedUser, refuseSelf } from './user-access.js';

export interface UpdateUserInput {
  userId: string;
  expectedVersion?: number;
  email?: unknown;
  displayName?: unknown;
  customFields?: unknown;
  companyIds?: unknown;
}

/** Profile changes only; roles, state, password and tenant have their own use cases. */
export async function updateUser(deps: AppDeps, ctx: Ctx, input: UpdateUserInput): Promise<User> {
  const c = new Checker();
  const email = input.email === null ? null : c.string('email', input.email, { max: 254, optional: true });
  if (typeof email === 'string' && !isValidEmail(email)) c.fail('email', 'format', 'Not an email address');
  const displayName = c.string('displayName', input.displayName, { max: 200, optional: true });
  const companyIds = c.stringArray('companyIds', input.companyIds);
  const cf = input.customFields;
  if (cf !== undefined && (typeof cf !== 'object' || cf === null || Array.isArray(cf))) {
    c.fail('customFields', 'type', 'Must be an object');
  }
  assertNoErrors(c.errors);
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    // The rank rule guards the address (a reset link goes there), not the display name.
    const found = await findManagedUser(repos, deps, ctx, input.userId, 'users.update', {
      rank: email !== undefined ? 'email.change' : false,
    });
    // Locked first: the custom-field merge and the company set below read what they replace.
    const user = (await repos.users.lockForUpdate(found.user.tenantId, found.user.id)) ?? found.user;
    if (input.expectedVersion !== undefined && input.expectedVersion !== user.version)
      throw new AppError('resource.stale');
    let customFields: Record<string, unknown> | undefined;
    if (cf !== undefined) {
      const merged = { ...user.customFields, ...(cf as Record<string, unknown>) };
      customFields = validateFieldValues(await repos.fields.list(user.tenantId), merged);
    }
    if (companyIds) {
      for (const id of companyIds) {
        if (!(await repos.companies.findById(user.tenantId, id))) {
          throw new AppError('validation.invalid', 'Unknown company', {
            errors: [{ field: 'companyIds', code: 'company.unknown', message: `No company ${id}` }],
          });
        }
      }
      await repos.users.setCompanies(user.tenantId, user.id, companyIds);
    }
    const updated = await repos.users.update(
      user.tenantId,
      user.id,
      {
        ...(email !== undefined ? { email } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        ...(customFields ? { customFields } : {}),
      },
      now,
      input.expectedVersion,
    );
    // Someone else moved the address: the old one hears of it, so a takeover does not go unnoticed.
    if (email !== undefined && email !== user.email && user.email && ctx.actor.userId !== user.id) {
      await queueMail(repos, now, changedBySomeoneElse(user.email, 'e-mail address'));
    }
    // A new address is unverified (the repository dropped the mark): its owner gets a link.
    if (email && email.toLowerCase() !== (user.email ?? '').toLowerCase()) {
      await queueEmailVerification(repos, now, updated);
    }
    await audit(repos, ctx, now, {
      tenantId: user.tenantId,
      action: 'user.updated',
      targetType: 'user',
      targetId: user.id,
      details: {
        fields: Object.keys({ email, displayName, customFields, companyIds }).filter(
          (k) => ({ email, displayName, customFields, companyIds })[k as 'email'] !== undefined,
        ),
      },
    });
    return updated;
  });
}

/** Lock, unlock, disable, enable. Nobody locks himself out. */
export async function setUserState(
  deps: AppDeps,
  ctx: Ctx,
  input: { userId: string; state: UserState; reason?: string },
): Promise<User> {
  refuseSelf(ctx, input.userId, 'change your own state');
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(repos, deps, ctx, input.userId, 'users.lock', { rank: 'state.change' });
    if (user.state === input.state) return user;
    const updated = await repos.users.update(user.tenantId, user.id, { state: input.state }, now);
    await audit(repos, ctx, now, {
      tenantId: user.tenantId,
      action: `user.state.${input.state}`,
      targetType: 'user',
      targetId: user.id,
      details: { from: user.state, to: input.state, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return updated;
  });
}

export async function deleteUser(deps: AppDeps, ctx: Ctx, input: { userId: string }): Promise<void> {
  refuseSelf(ctx, input.userId, 'delete yourself');
  await deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const { user } = await findManagedUser(repos, deps, ctx, input.userId, 'users.delete', { rank: 'delete' });
    await repos.shares.endAllForUser(user.id, ctx.actor.userId, now);
    await repos.users.delete(user.tenantId, user.id);
    await audit(repos, ctx, now, {
      tenantId: user.tenantId,
      action: 'user.deleted',
      targetType: 'user',
      targetId: user.id,
      details: { loginName: user.loginName, type: user.type },
    });
  });
}
