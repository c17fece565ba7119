import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUsers } from '../../../src/app/import-users.js';
import { applyRoles } from '../../../src/app/roles.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { importStore } from '../../../src/storage/import-store.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

// Issue 14 #6: `emailVerified` travels with export and import. A file's `true` is only a claim:
// it marks an address only from the operator or a holder of users.email.attest, while anyone may
// re-import an address that is verified already (an export round-trip keeps the marks).

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
  // An administrator who may import and export but not vouch for addresses.
  await applyRoles(
    h.k.deps,
    null,
    [
      ...readRolesFile('config/roles.yaml'),
      {
        key: 'ImportAdmin',
        name: 'Import administrator',
        category: 'administration',
        description: '',
        permissions: ['users.read', 'users.export', 'users.import', 'users.roles.assign'],
      },
    ],
    { dryRun: false },
  );
});
afterAll(async () => h?.close());

const ATTESTER = ['AdministrationAdvanced', 'AdministrationBasic'];

/** A user with an address, verified or not, written directly. */
async function aUser(t: Tenant, login: string, email: string, verified: boolean) {
  const u = await h.k.aUserIn(t, ['CustomerBasic'], { login });
  await h.k.deps.store.transaction(async (r) => {
    await r.users.update(t.id, u.id, { email }, new Date());
    if (verified) await r.users.markEmailVerified(t.id, u.id, email, new Date());
  });
  return u;
}
const isVerified = async (t: Tenant, login: string) => {
  const u = await h.k.deps.store.read((r) => r.users.findByLogin(t.id, login));
  if (!u) throw new Error(`no user ${login}`);
  return (await h.k.deps.store.read((r) => r.users.verifiedIds([u.id]))).has(u.id);
};
const exported = async (c: Client, t: Tenant, format: 'csv' | 'json') =>
  (await c.call('GET', `/api/v1/tenants/${t.id}/users/export?format=${format}`)).body;
const importFile = (c: Client, t: Tenant, body: string | object, q = '?mode=upsert') =>
  c.call('POST', `/api/v1/tenants/${t.id}/users/import${q}`, body, {
    headers: { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' },
  });
/** The rows of test users (login names starting with `u-`), without the signed-in administrators. */
const csvOf = (csv: string) =>
  csv
    .split('\r\n')
    .filter((l, i) => i === 0 || l.startsWith('u-'))
    .join('\r\n');
const jsonOf = (json: string) => ({
  users: (JSON.parse(json).users as { loginName: string }[]).filter((u) => u.loginName.startsWith('u-')),
});
const lastImport = async (t: Tenant) =>
  (await h.k.deps.store.read((r) => r.audit.list(t.id, { action: 'users.imported', limit: 1 })))[0]?.details;
const operatorImport = (t: Tenant, records: Record<string, unknown>[], format: 'csv' | 'json', dryRun = false) =>
  importUsers({ ...h.k.deps, importStore: importStore(h.k.db.kysely) }, null, {
    tenantId: t.id,
    records,
    format,
    mode: 'upsert',
    dryRun,
  });

describe('emailVerified in export and import', () => {
  it('exports true only for a verified current address: a column after email in CSV, a boolean in JSON', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['ImportAdmin']);
    await aUser(t, 'u-verified', 'ada@example.com', true);
    await aUser(t, 'u-plain', 'bob@example.com', false);
    const stale = await aUser(t, 'u-stale', 'cem@example.com', false);
    // A mark for another address than the current one does not count.
    await h.k.deps.store.transaction((r) => r.users.markEmailVerified(t.id, stale.id, 'old@example.com', new Date()));
    await h.k.aUserIn(t, [], { login: 'u-none' });
    const csv = await exported(admin, t, 'csv');
    expect(csv.split('\r\n')[0]?.split(',').slice(0, 4)).toEqual([
      'loginName',
      'email',
      'emailVerified',
      'displayName',
    ]);
    const rows = parse(csv, { columns: true }) as { loginName: string; emailVerified: string }[];
    const flag = (rs: { loginName: string; emailVerified: unknown }[]) =>
      Object.fromEntries(rs.filter((r) => r.loginName.startsWith('u-')).map((r) => [r.loginName, r.emailVerified]));
    expect(flag(rows)).toEqual({ 'u-none': 'false', 'u-plain': 'false', 'u-stale': 'false', 'u-verified': 'true' });
    expect(flag(jsonOf(await exported(admin, t, 'json')).users as never)).toEqual({
      'u-none': false,
      'u-plain': false,
      'u-stale': false,
      'u-verified': true,
    });
  });

  it('keeps the marks through an export round-trip by an administrator who may not vouch (CSV and JSON)', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['ImportAdmin']);
    await aUser(t, 'u-verified', 'ada@example.com', true);
    await aUser(t, 'u-plain', 'bob@example.com', false);
    for (const format of ['csv', 'json'] as const) {
      const file = format === 'csv' ? csvOf(await exported(admin, t, 'csv')) : jsonOf(await exported(admin, t, 'json'));
      expect(JSON.stringify(file)).toContain(format === 'csv' ? ',true,' : '"emailVerified":true');
      const res = await importFile(admin, t, file);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ updated: 2, errors: [] });
      expect(await isVerified(t, 'u-verified')).toBe(true);
      expect(await isVerified(t, 'u-plain')).toBe(false);
      // Re-stating a verified address vouches for nothing.
      expect(await lastImport(t)).toMatchObject({ emailsAttested: 0 });
    }
    // A different case of the same address is the same address.
    const res = await importFile(
      admin,
      t,
      'loginName,email,emailVerified,roles\r\nu-verified,ADA@example.com,true,CustomerBasic\r\n',
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(await isVerified(t, 'u-verified')).toBe(true);
  });

  it('refuses a true for a new or changed address from an importer without users.email.attest, in dry run and apply', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ['ImportAdmin']);
    await aUser(t, 'u-verified', 'ada@example.com', true);
    await aUser(t, 'u-plain', 'bob@example.com', false);
    const csv = [
      'loginName,email,emailVerified,roles',
      'u-new,new@example.com,true,CustomerBasic',
      'u-verified,changed@example.com,true,CustomerBasic',
      'u-plain,bob@example.com,true,CustomerBasic',
    ].join('\r\n');
    const json = {
      users: [
        { loginName: 'u-new', email: 'new@example.com', emailVerified: true, roles: ['CustomerBasic'] },
        { loginName: 'u-verified', email: 'changed@example.com', emailVerified: true, roles: ['CustomerBasic'] },
        { loginName: 'u-plain', email: 'bob@example.com', emailVerified: true, roles: ['CustomerBasic'] },
      ],
    };
    const before = await h.k.counts();
    for (const file of [csv, json]) {
      const dry = await importFile(admin, t, file, '?mode=upsert&dryRun=true');
      expect(
        dry.json().errors.map((e: { line: number; field: string; code: string }) => [e.line, e.field, e.code]),
      ).toEqual([2, 3, 4].map((line) => [line, 'emailVerified', 'grant.missing_permission']));
      problem(await importFile(admin, t, file), 422, 'import.rejected');
    }
    expect(await h.k.counts()).toEqual(before);
    expect(await isVerified(t, 'u-verified')).toBe(true);
    expect(await isVerified(t, 'u-plain')).toBe(false);
  });

  it('marks the address when an attesting administrator or the operator imports true, audited, and mails nobody', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const attester = await h.signedIn(t, ATTESTER);
    const plain = await aUser(t, 'u-plain', 'bob@example.com', false);
    await aUser(t, 'u-verified', 'ada@example.com', true);
    const outbox = await h.k.count('outbox');
    const res = await importFile(attester, t, {
      users: [
        { loginName: 'u-new', email: 'new@example.com', emailVerified: true, roles: ['CustomerBasic'] },
        { loginName: 'u-plain', email: 'bob@example.com', emailVerified: true, roles: ['CustomerBasic'] },
        { loginName: 'u-verified', email: 'ada@example.com', emailVerified: true, roles: ['CustomerBasic'] },
        { loginName: 'u-unclaimed', email: 'zoe@example.com', roles: ['CustomerBasic'] },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    for (const login of ['u-new', 'u-plain', 'u-verified']) expect(await isVerified(t, login)).toBe(true);
    expect(await isVerified(t, 'u-unclaimed')).toBe(false);
    expect(await lastImport(t)).toMatchObject({ created: 2, updated: 2, emailsAttested: 2 });
    const [updated] = await h.k.deps.store.read((r) =>
      r.audit.list(t.id, { targetId: plain.id, action: 'user.updated', limit: 1 }),
    );
    expect(updated?.details).toMatchObject({ via: 'import', emailAttested: true });
    // The operator (CLI), in CSV; a dry run writes nothing.
    const rows = [{ loginName: 'u-cli', email: 'cli@example.com', emailVerified: 'true', roles: 'CustomerBasic' }];
    expect((await operatorImport(t, rows, 'csv', true)).errors).toEqual([]);
    expect(await h.k.deps.store.read((r) => r.users.findByLogin(t.id, 'u-cli'))).toBeUndefined();
    expect(await operatorImport(t, rows, 'csv')).toMatchObject({ created: 1, errors: [] });
    expect(await isVerified(t, 'u-cli')).toBe(true);
    expect(await lastImport(t)).toMatchObject({ emailsAttested: 1 });
    // A bulk migration mails nobody: neither links for new addresses nor for vouched ones.
    expect(await h.k.count('outbox')).toBe(outbox);
  });

  it('holds an attesting importer to the rank rule', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const partial = await h.signedIn(t, ['AdministrationAdvanced']);
    const boss = await h.k.aUserIn(t, ATTESTER, { login: 'u-boss' });
    const csv = `loginName,email,emailVerified,roles\r\nu-boss,boss@example.com,true,${ATTESTER.join(';')}\r\n`;
    const dry = await importFile(partial, t, csv, '?mode=upsert&dryRun=true');
    expect(dry.json().errors).toEqual([expect.objectContaining({ line: 2, code: 'grant.target_outranks' })]);
    expect((await h.k.deps.store.read((r) => r.users.verifiedIds([boss.id]))).has(boss.id)).toBe(false);
  });

  it('clears the mark when an upsert changes the address; false alone never clears it', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const admin = await h.signedIn(t, ATTESTER);
    for (const login of ['u-csv', 'u-json', 'u-kept']) await aUser(t, login, `${login}@example.com`, true);
    const csv = await importFile(
      admin,
      t,
      'loginName,email,emailVerified,roles\r\nu-csv,moved@example.com,,CustomerBasic\r\n',
    );
    expect(csv.statusCode, csv.body).toBe(200);
    const json = await importFile(admin, t, {
      users: [
        { loginName: 'u-json', email: 'moved2@example.com', emailVerified: false, roles: ['CustomerBasic'] },
        { loginName: 'u-kept', email: 'u-kept@example.com', emailVerified: false, roles: ['CustomerBasic'] },
      ],
    });
    expect(json.statusCode, json.body).toBe(200);
    expect(await isVerified(t, 'u-csv')).toBe(false);
    expect(await isVerified(t, 'u-json')).toBe(false);
    expect(await isVerified(t, 'u-kept')).toBe(true);
    expect(await lastImport(t)).toMatchObject({ emailsAttested: 0 });
  });
});

describe('an import that moves an address', () => {
  it('tells the old address, not the new one, and sends the new one no verification link', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    await aUser(t, 'u-moved', 'before-import@example.com', true);
    await aUser(t, 'u-kept', 'kept@example.com', false);
    const queued = async () =>
      (await h.k.db.kysely.selectFrom('outbox').select('payload').execute()).map((q) => q.payload as { to?: string });
    const report = await operatorImport(
      t,
      [
        { loginName: 'u-moved', email: 'after-import@example.com', roles: 'CustomerBasic' },
        { loginName: 'u-kept', email: 'KEPT@example.com', roles: 'CustomerBasic' },
      ],
      'json',
    );
    expect(report.errors).toEqual([]);
    const ours = ['before-import@example.com', 'after-import@example.com', 'kept@example.com', 'KEPT@example.com'];
    expect((await queued()).map((m) => m.to).filter((to) => ours.includes(to ?? ''))).toEqual([
      'before-import@example.com',
    ]);
    expect(await isVerified(t, 'u-moved')).toBe(false);
  });
});
