import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapProvider } from '../../../src/app/bootstrap.js';
import { operatorResetPassword, operatorUnlock } from '../../../src/app/break-glass.js';
import { setUserState } from '../../../src/app/manage-user.js';
import { createKontor, operatorDeps } from '../../../src/compose.js';
import { createHttpApp } from '../../../src/compose-http.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { isAppError } from '../../../src/domain/errors.js';
import type { User } from '../../../src/domain/user.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';

// Issue 14 #3: break-glass for operators. The use cases run in-process against the HTTP kit (its
// clock, so a temporary lock is in force when it is lifted); the CLI wiring runs as a process.
let h: HttpKit;
beforeAll(async () => {
  h = await httpKit({ login: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 50, windowSeconds: 900 } });
});
afterAll(async () => h?.close());

const ops = () => operatorDeps({ db: h.k.db, deps: { ...h.k.deps, clock: h.clock } });
const signIn = (login: string, password: string, remoteAddress = '10.4.0.1') =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { tenant: h.k.root.slug, username: login, password },
    remoteAddress,
  });
const me = (cookie: string) => h.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { kontor_session: cookie } });
const bearer = (token: string) =>
  h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
const eventsOf = async (u: User) =>
  (await h.k.deps.store.read((r) => r.audit.list(h.k.root.id, { limit: 200 }))).filter((e) => e.targetId === u.id);
const guessFiveTimes = async (login: string) => {
  for (let i = 0; i < 5; i++) problem(await signIn(login, `wrong guess number ${i}`), 401);
};
const rejection = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isAppError(e)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
};

describe('operator unlock', () => {
  it('lets the right password in at once after five wrong ones locked the account temporarily', async () => {
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'bg-guessed' });
    await guessFiveTimes('bg-guessed');
    problem(await signIn('bg-guessed', TEST_PASSWORD), 401, 'auth.invalid_credentials');
    const unlocked = await operatorUnlock(ops(), { tenantSlug: h.k.root.slug, loginName: 'bg-guessed' });
    expect(unlocked.from).toBe('active');
    expect(unlocked.temporaryLockUntil).toBeInstanceOf(Date);
    expect((await signIn('bg-guessed', TEST_PASSWORD)).statusCode).toBe(200); // no waiting
    const event = (await eventsOf(u)).find((e) => e.action === 'user.unlocked');
    expect(event).toMatchObject({
      actorUserId: null,
      actorTenantId: null,
      details: { by: 'operator', from: 'active' },
    });
  });

  it('starts the lock level afresh: the next lock is the 1-minute one again', async () => {
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'bg-relocked' });
    await guessFiveTimes('bg-relocked');
    h.clock.advance(61);
    await guessFiveTimes('bg-relocked'); // the second lock: 2 minutes
    await operatorUnlock(ops(), { tenantSlug: h.k.root.slug, loginName: 'bg-relocked' });
    await guessFiveTimes('bg-relocked');
    const locks = (await eventsOf(u)).filter((e) => e.action === 'user.temporarily_locked');
    expect(locks.map((e) => e.details.seconds)).toEqual([60, 120, 60]);
  });

  it('lifts an administrator’s lock, so the user signs in again; old sessions stay ended', async () => {
    const admin = await h.k.aUserIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'bg-admin-locked' });
    const before = await signIn('bg-admin-locked', TEST_PASSWORD);
    const cookie = before.cookies.find((c) => c.name === 'kontor_session')?.value as string;
    await setUserState(h.k.deps, await h.k.ctx(admin), { userId: u.id, state: 'locked' });
    problem(await signIn('bg-admin-locked', TEST_PASSWORD), 401, 'auth.invalid_credentials');
    const unlocked = await operatorUnlock(ops(), { tenantSlug: h.k.root.slug, loginName: 'bg-admin-locked' });
    expect(unlocked.from).toBe('locked');
    expect(unlocked.user.state).toBe('active');
    expect((await signIn('bg-admin-locked', TEST_PASSWORD)).statusCode).toBe(200);
    problem(await me(cookie), 401, 'auth.unauthenticated');
    const event = (await eventsOf(u)).find((e) => e.action === 'user.unlocked');
    expect(event).toMatchObject({ actorUserId: null, details: { by: 'operator', from: 'locked' } });
  });

  it('refuses a disabled user, which stays disabled and unaudited', async () => {
    const admin = await h.k.aUserIn(h.k.root, ADMIN_ROLES);
    const u = await h.k.aUserIn(h.k.root, ['CustomerBasic'], { password: TEST_PASSWORD, login: 'bg-disabled' });
    await setUserState(h.k.deps, await h.k.ctx(admin), { userId: u.id, state: 'disabled' });
    const e = await rejection(operatorUnlock(ops(), { tenantSlug: h.k.root.slug, loginName: 'bg-disabled' }));
    expect(e.code).toBe('user.not_active');
    expect(e.message).toContain('disabled');
    const stored = await h.k.deps.store.read((r) => r.users.findInTenant(h.k.root.id, u.id));
    expect(stored?.state).toBe('disabled');
    expect((await eventsOf(u)).some((x) => x.action === 'user.unlocked')).toBe(false);
  });

  it('names an unknown tenant or login', async () => {
    const noTenant = await rejection(operatorUnlock(ops(), { tenantSlug: 'no-such-tenant', loginName: 'admin' }));
    expect(noTenant).toMatchObject({ code: 'resource.not_found', message: 'No tenant no-such-tenant' });
    const noUser = await rejection(operatorResetPassword(ops(), { tenantSlug: h.k.root.slug, loginName: 'nobody' }));
    expect(noUser).toMatchObject({ code: 'resource.not_found', message: `No user nobody in tenant ${h.k.root.slug}` });
  });
});

describe('operator password reset', () => {
  it('gives a one-time password that signs in at once, forces a change and ends sessions and tokens', async () => {
    const client = await h.signedIn(h.k.root, ADMIN_ROLES, { login: 'bg-forgot' });
    const token = (await client.call('POST', '/api/v1/me/tokens', { name: 'robot' })).json().token as string;
    expect((await bearer(token)).statusCode).toBe(200);
    await guessFiveTimes('bg-forgot');
    const reset = await operatorResetPassword(ops(), { tenantSlug: h.k.root.slug, loginName: 'bg-forgot' });
    expect(reset.password.length).toBeGreaterThanOrEqual(32);
    problem(await me(client.cookie), 401, 'auth.unauthenticated');
    problem(await bearer(token), 401, 'auth.unauthenticated');
    problem(await signIn('bg-forgot', TEST_PASSWORD), 401, 'auth.invalid_credentials');
    const login = await signIn('bg-forgot', reset.password); // the temporary lock is gone too
    expect(login.statusCode).toBe(200);
    expect(login.json().mustChangePassword).toBe(true);
    const signedIn = h.clientFor(login, client.user, h.k.root);
    problem(await signedIn.call('GET', `/api/v1/tenants/${h.k.root.id}/users`), 403, 'auth.password_change_required');
    const event = (await eventsOf(client.user)).find((e) => e.action === 'user.password_set');
    expect(event).toMatchObject({ actorUserId: null, details: { by: 'operator', mustChange: true } });
    expect(JSON.stringify(event)).not.toContain(reset.password);
  });
});

// The commands as an operator runs them: a process on the data directory (PGlite only).
describe.skipIf(Boolean(process.env.DATABASE_URL))('kontor users unlock | reset-password (CLI)', () => {
  it('unlocks, prints a working one-time password, audits both, and exits 1 for an unknown login', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontor-break-glass-'));
    const config = { ...loadConfig({ KONTOR_DATA_DIR: dir }), dataDir: dir };
    const setup = await createKontor(config);
    const boot = await bootstrapProvider(setup.deps, {
      tenantName: 'Provider',
      slug: 'provider',
      loginName: 'admin',
      password: TEST_PASSWORD,
    });
    if (!boot) throw new Error('bootstrap failed');
    // The last administrator is locked: nobody is left to unlock him but the operator.
    await setup.deps.store.transaction((r) =>
      r.users.update(boot.tenant.id, boot.user.id, { state: 'locked' }, new Date()),
    );
    await setup.close();
    const kontor = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        env: { ...process.env, DATABASE_URL: '', KONTOR_DATA_DIR: dir },
        encoding: 'utf8',
      });

    const unknown = kontor('users', 'unlock', 'provider', 'nobody');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No user nobody in tenant provider');
    const unlock = kontor('users', 'unlock', 'provider', 'admin');
    expect(unlock.status).toBe(0);
    expect(unlock.stdout).toContain('Unlocked admin in provider');
    const reset = kontor('users', 'reset-password', 'provider', 'admin');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toContain('must be changed at first sign-in');
    const password = reset.stdout.split('\n')[1]?.trim() as string;
    expect(password.length).toBeGreaterThanOrEqual(32);

    const k = await createKontor(config);
    try {
      const app = await createHttpApp(k, { mail: { send: async () => undefined }, logger: false });
      const login = (pw: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { tenant: 'provider', username: 'admin', password: pw },
        });
      problem(await login(TEST_PASSWORD), 401, 'auth.invalid_credentials');
      const ok = await login(password);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().mustChangePassword).toBe(true);
      await app.close();
      const events = await k.deps.store.read((r) => r.audit.list(boot.tenant.id, { limit: 100 }));
      const operator = events.filter((e) => e.targetId === boot.user.id && e.actorUserId === null);
      expect(operator.map((e) => [e.action, e.details.by])).toEqual(
        expect.arrayContaining([
          ['user.unlocked', 'operator'],
          ['user.password_set', 'operator'],
        ]),
      );
    } finally {
      await k.close();
    }
  }, 240_000); // three CLI processes, each opening the database: slow on a busy 2-core machine
});
