import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit, problem } from './http-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const v1 = (p: string) => `/api/v1${p}`;

describe('the rank rule on every path to an account (issue 14)', () => {
  it('refuses the takeover sequence of a basic administrator at its first step, whichever step comes first', async () => {
    const basic = await h.signedIn(h.k.root, ['AdministrationBasic']);
    const first = h.k.rootAdmin.id;
    const refused = async (method: 'POST' | 'PATCH', path: string, body?: unknown) => {
      const p = problem(await basic.call(method, v1(path), body), 403, 'grant.target_outranks');
      expect(p.detail).toContain('AdministrationAdvanced');
    };
    await refused('POST', `/users/${first}/password-reset`);
    await refused('PATCH', `/users/${first}`, { email: null });
    await refused('PATCH', `/users/${first}`, { email: 'attacker@example.com' });
    for (const action of ['lock', 'disable', 'unlock', 'enable']) await refused('POST', `/users/${first}/${action}`);
    // Nothing changed, and no reset link exists to use.
    const stillActive = await h.k.deps.store.read((r) => r.users.findInTenant(h.k.root.id, first));
    expect(stillActive?.state).toBe('active');
    expect(h.mails.filter((m) => m.to === 'attacker@example.com')).toEqual([]);
  });

  it('still lets a basic administrator edit the profile of a stronger user and act on peers', async () => {
    const basic = await h.signedIn(h.k.root, ['AdministrationBasic']);
    const strong = await h.k.aUserIn(h.k.root, ['AdministrationAdvanced', 'AdministrationBasic']);
    const peer = await h.k.aUserIn(h.k.root, ['AdministrationBasic', 'Marketing']);
    expect((await basic.call('PATCH', v1(`/users/${strong.id}`), { displayName: 'Renamed' })).statusCode).toBe(200);
    expect((await basic.call('POST', v1(`/users/${peer.id}/password-reset`))).statusCode).toBe(202);
    expect((await basic.call('POST', v1(`/users/${peer.id}/lock`))).statusCode).toBe(200);
  });

  it('lets the holder of every administration role of the target act on it', async () => {
    const advanced = await h.signedIn(h.k.root, ['AdministrationAdvanced', 'AdministrationBasic']);
    const basicUser = await h.k.aUserIn(h.k.root, ['AdministrationBasic']);
    expect((await advanced.call('POST', v1(`/users/${basicUser.id}/password-reset`))).statusCode).toBe(202);
    expect((await advanced.call('PATCH', v1(`/users/${basicUser.id}`), { email: null })).statusCode).toBe(200);
  });

  it('binds the sales path (R5): sales without AdministrationBasic cannot take over a customer primary holding it', async () => {
    const sales = await h.signedIn(h.k.root, ['SalesAdvanced']);
    const reseller = await h.k.aTenant(h.k.root, 'reseller');
    const consumer = await h.k.aTenant(h.k.root, 'consumer');
    const resellerPrimary = await h.k.aUserIn(reseller, ['AdministrationBasic'], { type: 'primary' });
    const consumerPrimary = await h.k.aUserIn(consumer, ['CustomerBasic'], { type: 'primary' });
    problem(await sales.call('POST', v1(`/users/${resellerPrimary.id}/password-reset`)), 403, 'grant.target_outranks');
    problem(await sales.call('POST', v1(`/users/${resellerPrimary.id}/lock`)), 403, 'grant.target_outranks');
    expect((await sales.call('POST', v1(`/users/${consumerPrimary.id}/password-reset`))).statusCode).toBe(202);
  });
});

describe('import upsert and the rank rule (issues 14 and 20 #8)', () => {
  const importCsv = (c: Awaited<ReturnType<HttpKit['signedIn']>>, tenantId: string, csv: string) =>
    c.call('POST', v1(`/tenants/${tenantId}/users/import?mode=upsert`), csv, {
      headers: { 'content-type': 'text/csv' },
    });

  it('refuses to overwrite a user holding an administration role the importer does not hold', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const importer = await h.signedIn(t, ['AdministrationAdvanced']);
    await h.k.aUserIn(t, ['AdministrationAdvanced', 'AdministrationBasic'], { login: 'boss' });
    const res = await importCsv(importer, t.id, 'loginName,email,state,roles\r\nboss,me@example.com,disabled,\r\n');
    const body = problem(res, 422, 'import.rejected');
    expect(JSON.stringify(body)).toContain('grant.target_outranks');
    const boss = await h.k.deps.store.read((r) => r.users.findByLogin(t.id, 'boss'));
    expect(boss).toMatchObject({ state: 'active', email: null });
  });

  it('never replaces the password of an existing user by an imported hash', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const importer = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    await h.k.aUserIn(t, ['AdministrationBasic'], {
      login: 'primary',
      type: 'primary',
      password: 'a very long password 1',
    });
    const hash = await h.k.deps.hasher.hash('attacker chosen password');
    const res = await importCsv(
      importer,
      t.id,
      `loginName,type,roles,passwordHash\r\nprimary,primary,AdministrationBasic,"${hash}"\r\n`,
    );
    expect(JSON.stringify(problem(res, 422, 'import.rejected'))).toContain('import.password_exists');
    expect((await h.login(t, 'primary', 'attacker chosen password')).statusCode).toBe(401);
  });

  it('names every overwritten user in the activity log', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const importer = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
    const sso = await h.k.aUserIn(t, ['CustomerBasic'], { login: 'sso-only' });
    const hash = await h.k.deps.hasher.hash('migrated password 12345');
    const res = await importCsv(importer, t.id, `loginName,roles,passwordHash\r\nsso-only,CustomerBasic,"${hash}"\r\n`);
    expect(res.statusCode, res.body).toBe(200);
    const events = await h.k.deps.store.read((r) => r.audit.list(t.id, { action: 'user.updated', limit: 10 }));
    expect(events.find((e) => e.targetId === sso.id)?.details).toMatchObject({
      via: 'import',
      passwordHashImported: true,
    });
  });
});
