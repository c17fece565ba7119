import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/apps/create-app.js';
import { listApps } from '../../../src/app/apps/list-apps.js';
import { removeApp } from '../../../src/app/apps/remove-app.js';
import { rotateAppSecret } from '../../../src/app/apps/rotate-app-secret.js';
import { bootstrapProvider } from '../../../src/app/bootstrap.js';
import { appsDeps, createKontor } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { isAppError } from '../../../src/domain/errors.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { TEST_PASSWORD, type TestKontor, testKontor } from '../../fixtures/kontor.js';

// Issue 15 #2: the operator registers apps from the command line (ctx null, audited by: operator).
let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

const shop = { name: 'Shop', redirectUris: ['https://shop.example/callback'] };
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isAppError(e) ? e.code : String(e)),
  );
const rootEvents = async (id: string) =>
  (await k.deps.store.read((r) => r.audit.list(k.root.id, { targetId: id, limit: 20 }))).reverse();

describe('operator apps (use cases with no actor)', () => {
  it('registers installation-wide apps, audited in the root provider’s log by the operator', async () => {
    const app = await createApp(appsDeps(k), null, 'operator', { ...shop, firstParty: true });
    expect(app).toMatchObject({ tenantId: null, firstParty: true, hasSecret: true });
    expect((await listApps(appsDeps(k), null, 'operator')).map((a) => a.id)).toContain(app.id);
    const [created] = await rootEvents(app.id);
    expect(created).toMatchObject({ action: 'app.created', actorUserId: null, details: { by: 'operator' } });
  });

  it('registers a tenant’s app by slug, which that tenant then lists, and refuses an unknown slug', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const app = await createApp(appsDeps(k), null, { tenantSlug: t.slug }, shop);
    expect(app.tenantId).toBe(t.id);
    expect((await listApps(appsDeps(k), null, { tenantSlug: t.slug })).map((a) => a.id)).toEqual([app.id]);
    expect((await listApps(appsDeps(k), null, 'operator')).map((a) => a.id)).not.toContain(app.id);
    const events = await k.deps.store.read((r) => r.audit.list(t.id, { targetId: app.id, limit: 5 }));
    expect(events.map((e) => e.action)).toEqual(['app.created']);
    expect(await codeOf(createApp(appsDeps(k), null, { tenantSlug: 'no-such-tenant' }, shop))).toBe(
      'resource.not_found',
    );
  });

  it('rotates and removes any app by client_id', async () => {
    const t = await k.aTenant(k.root, 'reseller');
    const app = await createApp(appsDeps(k), null, { tenantSlug: t.slug }, shop);
    const rotated = await rotateAppSecret(appsDeps(k), null, 'any', app.id);
    const row = await k.deps.store.read((r) => r.apps.findById(app.id));
    expect(row?.secretHash).toBe(sha256(rotated.clientSecret));
    await removeApp(appsDeps(k), null, 'any', app.id);
    expect(await k.deps.store.read((r) => r.apps.findById(app.id))).toBeUndefined();
    expect(await codeOf(removeApp(appsDeps(k), null, 'any', app.id))).toBe('resource.not_found');
    const events = await k.deps.store.read((r) => r.audit.list(t.id, { targetId: app.id, limit: 5 }));
    expect(events.map((e) => [e.action, e.details.by])).toEqual([
      ['app.deleted', 'operator'],
      ['app.secret_rotated', 'operator'],
      ['app.created', 'operator'],
    ]);
  });

  it('keeps installation-wide apps and by-id reach to the operator, not a signed-in administrator', async () => {
    const ctx = await k.ctx(k.rootAdmin);
    expect(await codeOf(createApp(appsDeps(k), ctx, 'operator', shop))).toBe('auth.forbidden');
    expect(await codeOf(removeApp(appsDeps(k), ctx, 'any', 'app_x'))).toBe('auth.forbidden');
  });
});

// The commands as an operator runs them: a process on the data directory (PGlite only).
describe.skipIf(Boolean(process.env.DATABASE_URL))('kontor apps add | list | rotate-secret | remove (CLI)', () => {
  it('prints the secret once, lists without it, rotates, removes, and explains a refusal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontor-apps-'));
    const config = { ...loadConfig({ KONTOR_DATA_DIR: dir }), dataDir: dir };
    const setup = await createKontor(config);
    await bootstrapProvider(setup.deps, {
      tenantName: 'Provider',
      slug: 'provider',
      loginName: 'admin',
      password: TEST_PASSWORD,
    });
    await setup.close();
    const kontor = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'apps', ...args], {
        env: { ...process.env, DATABASE_URL: '', KONTOR_DATA_DIR: dir },
        encoding: 'utf8',
      });

    const add = kontor(
      'add',
      '--name',
      'Billing',
      '--redirect-uri',
      'https://billing.example/cb',
      'http://127.0.0.1:4000/cb',
      '--first-party',
      '--grant',
      'authorization_code',
      'refresh_token',
      '--scope',
      'openid',
      'offline_access',
    );
    expect(add.status, add.stderr).toBe(0);
    const id = /client_id:\s+(app_\S+)/.exec(add.stdout)?.[1] as string;
    const secret = /client_secret:\s+(ks_\S+)/.exec(add.stdout)?.[1] as string;
    expect(id).toBeDefined();
    expect(secret).toBeDefined();
    const bad = kontor('add', '--name', 'Leaky', '--redirect-uri', 'http://leaky.example/cb');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('app.invalid');
    expect(bad.stderr).toContain('redirectUris[0]');
    const list = kontor('list');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain(`${id}  Billing  confidential/client_secret_basic  first-party`);
    expect(list.stdout).toContain('http://127.0.0.1:4000/cb');
    expect(list.stdout).not.toContain(secret);
    const rotate = kontor('rotate-secret', id);
    expect(rotate.status, rotate.stderr).toBe(0);
    const fresh = /client_secret:\s+(ks_\S+)/.exec(rotate.stdout)?.[1] as string;
    expect(fresh).not.toBe(secret);

    const k2 = await createKontor(config);
    try {
      const app = await k2.deps.store.read((r) => r.apps.findById(id));
      expect(app).toMatchObject({
        tenantId: null,
        firstParty: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'offline_access'],
        secretHash: sha256(fresh),
      });
    } finally {
      await k2.close();
    }
    const remove = kontor('remove', id);
    expect(remove.status, remove.stderr).toBe(0);
    expect(kontor('list').stdout).toContain('No apps.');
  }, 240_000); // six CLI processes, each opening the database: slow on a busy 2-core machine
});
