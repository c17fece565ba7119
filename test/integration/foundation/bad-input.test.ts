import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/app/assign-roles.js';
import { changeOwnPassword } from '../../../src/app/auth/passwords.js';
import { createCompany, createField, deleteCompany, deleteField } from '../../../src/app/companies.js';
import type { Ctx } from '../../../src/app/context.js';
import { createUser } from '../../../src/app/create-user.js';
import { deleteUser, setUserState, updateUser } from '../../../src/app/manage-user.js';
import { applyRoles } from '../../../src/app/roles.js';
import { acceptShare, endShare, releaseShare } from '../../../src/app/shares.js';
import { createChildTenant, deleteTenant, moveTenant, updateTenant } from '../../../src/app/tenants.js';
import { listUsers } from '../../../src/app/user-queries.js';
import { isAppError } from '../../../src/domain/errors.js';
import { authDepsOf, TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

let k: TestKontor;
let ctx: Ctx;
let userId: string;
beforeAll(async () => {
  k = await testKontor();
  const admin = await k.aUserIn(
    k.root,
    ['AdministrationAdvanced', 'AdministrationBasic', 'SalesAdvanced', 'OperationAdvanced'],
    { password: TEST_PASSWORD },
  );
  ctx = await k.ctx(admin);
  userId = (await k.aUserIn(k.root, [])).id;
});
afterAll(async () => k?.close());

const long = 'x'.repeat(5000);
const t = () => k.root.id;

// Each case: a use case called with bad input. All must fail with a typed AppError and write nothing.
const cases: [string, () => Promise<unknown>][] = [
  ['createUser: login name of wrong type', () => createUser(k.deps, ctx, { tenantId: t(), loginName: 42 })],
  ['createUser: login name with spaces', () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'a b' })],
  [
    'createUser: oversize display name',
    () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', displayName: long }),
  ],
  ['createUser: invalid email', () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', email: 'nope' })],
  ['createUser: short password', () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', password: 'short' })],
  ['createUser: unknown role', () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', roles: ['Nope'] })],
  [
    'createUser: roles not a list',
    () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', roles: 'Marketing' }),
  ],
  [
    'createUser: unknown custom field',
    () => createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', customFields: { zz: 1 } }),
  ],
  [
    'createUser: unknown company',
    () =>
      createUser(k.deps, ctx, { tenantId: t(), loginName: 'ok', companyIds: ['00000000-0000-4000-8000-000000000000'] }),
  ],
  ['createUser: malformed tenant id', () => createUser(k.deps, ctx, { tenantId: 'not-a-uuid', loginName: 'ok' })],
  [
    'createChild: bad kind',
    () => createChildTenant(k.deps, ctx, { parentId: t(), kind: 'provider', name: 'x', slug: 'x1' }),
  ],
  [
    'createChild: bad slug',
    () => createChildTenant(k.deps, ctx, { parentId: t(), kind: 'consumer', name: 'x', slug: 'Bad Slug' }),
  ],
  [
    'createChild: empty name',
    () => createChildTenant(k.deps, ctx, { parentId: t(), kind: 'consumer', name: '', slug: 'x2' }),
  ],
  [
    'createChild: primary user with bad login',
    () =>
      createChildTenant(k.deps, ctx, {
        parentId: t(),
        kind: 'consumer',
        name: 'x',
        slug: 'x3',
        primaryUser: { loginName: '' },
      }),
  ],
  [
    'createChild: taken slug',
    () => createChildTenant(k.deps, ctx, { parentId: t(), kind: 'consumer', name: 'x', slug: 'provider' }),
  ],
  ['updateTenant: bad status', () => updateTenant(k.deps, ctx, { tenantId: t(), status: 'deleted' })],
  ['updateTenant: unknown setting', () => updateTenant(k.deps, ctx, { tenantId: t(), settings: { evil: true } })],
  [
    'updateTenant: operation sign-up role',
    () => updateTenant(k.deps, ctx, { tenantId: t(), settings: { signupRoles: ['OperationBasic'] } }),
  ],
  ['moveTenant: unknown ids', () => moveTenant(k.deps, ctx, { tenantId: 'x', newParentId: 'y' })],
  ['deleteTenant: the root', () => deleteTenant(k.deps, ctx, { tenantId: t() })],
  ['assignRoles: roles missing', () => assignRoles(k.deps, ctx, { userId: userId, roles: undefined })],
  ['assignRoles: unknown role', () => assignRoles(k.deps, ctx, { userId: userId, roles: ['Ghost'] })],
  ['assignRoles: malformed user id', () => assignRoles(k.deps, ctx, { userId: '../etc', roles: [] })],
  ['updateUser: custom fields not an object', () => updateUser(k.deps, ctx, { userId: userId, customFields: [1] })],
  [
    'updateUser: stale version',
    () => updateUser(k.deps, ctx, { userId: userId, displayName: 'x', expectedVersion: 999 }),
  ],
  ['setUserState: oneself', () => setUserState(k.deps, ctx, { userId: ctx.actor.userId, state: 'locked' })],
  ['deleteUser: oneself', () => deleteUser(k.deps, ctx, { userId: ctx.actor.userId })],
  [
    'changeOwnPassword: new one too short',
    () => changeOwnPassword(authDepsOf(k), ctx, { currentPassword: TEST_PASSWORD, newPassword: 'short' }),
  ],
  [
    'releaseShare: past expiry',
    () => releaseShare(k.deps, ctx, { userId: userId, tenantId: t(), expiresAt: '2000-01-01T00:00:00Z' }),
  ],
  ['releaseShare: to own tenant', () => releaseShare(k.deps, ctx, { userId: userId, tenantId: t() })],
  ['acceptShare: unknown', () => acceptShare(k.deps, ctx, 'nope')],
  ['endShare: unknown', () => endShare(k.deps, ctx, '00000000-0000-4000-8000-000000000000')],
  ['createCompany: name of wrong type', () => createCompany(k.deps, ctx, { tenantId: t(), name: {} })],
  ['deleteCompany: unknown', () => deleteCompany(k.deps, ctx, { tenantId: t(), companyId: 'x' })],
  ['createField: bad key', () => createField(k.deps, ctx, { tenantId: t(), key: 'Bad Key', label: 'x', type: 'text' })],
  [
    'createField: select without options',
    () => createField(k.deps, ctx, { tenantId: t(), key: 'k', label: 'x', type: 'select' }),
  ],
  ['createField: unknown type', () => createField(k.deps, ctx, { tenantId: t(), key: 'k', label: 'x', type: 'blob' })],
  ['deleteField: unknown', () => deleteField(k.deps, ctx, { tenantId: t(), fieldId: 'x' })],
  ['listUsers: bad state', () => listUsers(k.deps, ctx, { tenantId: t(), state: 'gone' })],
  ['listUsers: bad cursor', () => listUsers(k.deps, ctx, { tenantId: t(), cursor: '!!!' })],
  ['listUsers: limit out of range', () => listUsers(k.deps, ctx, { tenantId: t(), limit: 100000 })],
  [
    'applyRoles: operation role with a tenant permission',
    () =>
      applyRoles(
        k.deps,
        null,
        [{ key: 'Ops', name: 'Ops', category: 'operation', description: '', permissions: ['users.read'] }],
        {
          dryRun: false,
        },
      ),
  ],
];

describe('bad input to every use case', () => {
  it.each(cases)('%s: a typed error and nothing written', async (_name, call) => {
    const before = await k.counts();
    const roles = await k.deps.store.read((r) => r.roles.list());
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(error), String(error)).toBe(true);
    expect(await k.counts()).toEqual(before);
    expect(await k.deps.store.read((r) => r.roles.list())).toEqual(roles);
  });
});

describe('a wrong current password (issue 20 #9)', () => {
  it('is a typed error that writes its audit event and nothing else', async () => {
    const before = await k.counts();
    await expect(
      changeOwnPassword(authDepsOf(k), ctx, { currentPassword: 'wrong', newPassword: 'a long new passphrase ok' }),
    ).rejects.toMatchObject({ code: 'validation.invalid' });
    expect(await k.counts()).toEqual({ ...before, audit_events: (before.audit_events ?? 0) + 1 });
    const [event] = await k.deps.store.read((r) => r.audit.list(t(), { limit: 1 }));
    expect(event).toMatchObject({ action: 'account.password_check_failed', targetId: ctx.actor.userId });
  });
});
