import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany, createField } from '../../../src/app/companies.js';
import { createUser } from '../../../src/app/create-user.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

let h: HttpKit;
beforeAll(async () => {
  h = await httpKit();
});
afterAll(async () => h?.close());

const ADMIN = ['AdministrationAdvanced', 'AdministrationBasic'];

/** A reseller with a custom field and two companies, and its administrator signed in. */
async function aTenantWithAdmin(): Promise<{ t: Tenant; admin: Client }> {
  const t = await h.k.aTenant(h.k.root, 'reseller');
  const admin = await h.signedIn(t, ADMIN);
  const ctx = await h.k.ctx(admin.user);
  await createField(h.k.deps, ctx, { tenantId: t.id, key: 'cost_centre', label: 'Cost centre', type: 'number' });
  await createField(h.k.deps, ctx, { tenantId: t.id, key: 'vip', label: 'VIP', type: 'boolean' });
  await createCompany(h.k.deps, ctx, { tenantId: t.id, name: 'Zentrale' });
  await createCompany(h.k.deps, ctx, { tenantId: t.id, name: 'Filiale Nord' });
  return { t, admin };
}

const importCsv = (c: Client, t: Tenant, csv: string, q = '') =>
  c.call('POST', `/api/v1/tenants/${t.id}/users/import${q}`, csv, { headers: { 'content-type': 'text/csv' } });
const userCount = (t: Tenant) => h.k.deps.store.read((r) => r.users.countInTenant(t.id));
const withoutAdmin = (csv: string, login: string) =>
  csv
    .split('\r\n')
    .filter((l) => !l.startsWith(`${login},`))
    .join('\r\n');

describe('user import', () => {
  it('round-trips: export, import into an empty tenant, export again gives the same data', async () => {
    const a = await aTenantWithAdmin();
    const ctx = await h.k.ctx(a.admin.user);
    const companies = await h.k.deps.store.read((r) => r.companies.list(a.t.id));
    await createUser(h.k.deps, ctx, {
      tenantId: a.t.id,
      loginName: 'anna',
      email: 'anna@example.com',
      displayName: '=cmd|calc',
      roles: ['Marketing', 'CustomerBasic'],
      companyIds: companies.map((c) => c.id),
      customFields: { cost_centre: 4711, vip: true },
    });
    await createUser(h.k.deps, ctx, { tenantId: a.t.id, loginName: 'bernd', roles: ['SalesBasic'] });
    const b = await aTenantWithAdmin();
    for (const format of ['csv', 'json'] as const) {
      const first = (await a.admin.call('GET', `/api/v1/tenants/${a.t.id}/users/export?format=${format}`)).body;
      // The admins differ per tenant; the imported rows are the others.
      const payload =
        format === 'csv'
          ? withoutAdmin(first, a.admin.user.loginName)
          : JSON.stringify({
              users: JSON.parse(first).users.filter(
                (u: { loginName: string }) => u.loginName !== a.admin.user.loginName,
              ),
            });
      const res =
        format === 'csv'
          ? await importCsv(b.admin, b.t, payload, '?mode=upsert')
          : await b.admin.call('POST', `/api/v1/tenants/${b.t.id}/users/import?mode=upsert`, JSON.parse(payload));
      expect(res.statusCode, res.body).toBe(200);
      const again = (await b.admin.call('GET', `/api/v1/tenants/${b.t.id}/users/export?format=${format}`)).body;
      if (format === 'csv') {
        expect(withoutAdmin(again, b.admin.user.loginName)).toEqual(payload);
      } else {
        const rows = JSON.parse(again).users.filter(
          (u: { loginName: string }) => u.loginName !== b.admin.user.loginName,
        );
        expect(rows).toEqual(JSON.parse(payload).users);
      }
    }
    expect(await userCount(b.t)).toBe(3); // the admin, anna, bernd: the second run created nothing
  });

  it('dry-runs a file with one bad row of each kind: every row reported, nothing written', async () => {
    const { t, admin } = await aTenantWithAdmin();
    const csv = [
      'loginName,email,displayName,roles,companies,field:cost_centre,__proto__',
      'good,good@example.com,Good,CustomerBasic,Zentrale,1,',
      'r1,,Unknown role,NoSuchRole,,,',
      'r2,,Admin role not held,OperationBasic,,,',
      'r3,,Invalid field,,,"twelve",',
      'good,,Duplicate login,,,,',
      'r5,,"=HYPERLINK(""http://evil"")",,,,',
      'r6,,Proto,,,,"{""polluted"":true}"',
      `r7,,${'x'.repeat(1001)},,,,`,
    ].join('\r\n');
    const before = await h.k.counts();
    const res = await importCsv(admin, t, csv, '?dryRun=true');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    const byLine = new Map<number, string[]>();
    for (const e of report.errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e.code]);
    expect(Object.fromEntries(byLine)).toEqual({
      3: ['role.unknown'],
      4: ['grant.operation_role_outside_provider'],
      5: ['field.invalid'],
      6: ['import.duplicate_login'],
      7: ['import.formula'],
      8: ['import.unknown_column'],
      9: ['import.cell_too_long'],
    });
    expect(report).toMatchObject({ dryRun: true, rows: 8, toCreate: 1 });
    expect(await h.k.counts()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The same file applied is refused as a whole.
    problem(await importCsv(admin, t, csv), 422, 'import.rejected');
    expect(await h.k.counts()).toEqual(before);
  });

  it('reports every error of a row at once, each with its 1-based column', async () => {
    const { t, admin } = await aTenantWithAdmin();
    const csv = 'loginName,email,roles,companies,field:cost_centre\r\nrow-a,not-an-address,NoSuchRole,Nowhere,abc\r\n';
    const res = await importCsv(admin, t, csv, '?dryRun=true');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ line: 2, column: 2, field: 'email', code: 'format' }),
      expect.objectContaining({ line: 2, column: 3, field: 'roles', code: 'role.unknown' }),
      expect.objectContaining({ line: 2, column: 4, field: 'companies', code: 'company.unknown' }),
      expect.objectContaining({ line: 2, column: 5, code: 'field.invalid' }),
    ]);
  });

  it('applies the grant rules per row: no administration role the importer lacks', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    const basicAdmin = await h.signedIn(t, ['AdministrationBasic', 'AdministrationAdvanced'].slice(1));
    const res = await importCsv(basicAdmin, t, 'loginName,roles\r\nx,AdministrationBasic\r\n', '?dryRun=true');
    expect(res.json().errors).toEqual([expect.objectContaining({ line: 2, code: 'grant.admin_role_not_held' })]);
    const clerk = await h.signedIn(t, ['CustomerBasic']);
    problem(await importCsv(clerk, t, 'loginName\r\nx\r\n'), 403, 'grant.missing_permission');
  });

  it('is idempotent: create refuses existing names, upsert updates without duplicates', async () => {
    const { t, admin } = await aTenantWithAdmin();
    const csv = 'loginName,displayName,roles\r\ncarla,Carla,CustomerBasic\r\n';
    expect((await importCsv(admin, t, csv)).json()).toMatchObject({ created: 1 });
    problem(await importCsv(admin, t, csv), 422, 'import.rejected');
    const updated = await importCsv(
      admin,
      t,
      'loginName,displayName,roles\r\nCARLA,Carla K.,Marketing\r\n',
      '?mode=upsert',
    );
    expect(updated.json()).toMatchObject({ created: 0, updated: 1 });
    expect(await userCount(t)).toBe(2);
    const carla = await h.k.deps.store.read((r) => r.users.findByLogin(t.id, 'carla'));
    expect(carla?.displayName).toBe('Carla K.');
    expect(await h.k.deps.store.read((r) => r.roles.userRoles(t.id, carla!.id))).toEqual(['Marketing']);
  });

  it('takes argon2 and bcrypt hashes as they are, and never a plaintext password', async () => {
    const { t, admin } = await aTenantWithAdmin();
    const argon = await h.k.deps.hasher.hash(TEST_PASSWORD);
    const bc = bcrypt.hashSync(TEST_PASSWORD, 4);
    const csv = `loginName,roles,passwordHash\r\nargon,CustomerBasic,"${argon}"\r\nbcrypt,CustomerBasic,${bc}\r\n`;
    expect((await importCsv(admin, t, csv)).statusCode).toBe(200);
    for (const login of ['argon', 'bcrypt']) expect((await h.login(t, login)).statusCode).toBe(200);
    const plain = await importCsv(admin, t, 'loginName,password\r\nplain,secret secret secret\r\n', '?dryRun=true');
    expect(plain.json().errors[0]).toMatchObject({ code: 'import.plaintext_password' });
    const bad = await importCsv(
      admin,
      t,
      'loginName,passwordHash\r\nmd5,5f4dcc3b5aa765d61d8327deb882cf99\r\n',
      '?dryRun=true',
    );
    expect(bad.json().errors[0]).toMatchObject({ code: 'import.hash_format' });
  });

  it('runs a large import as a job with progress, all rows in one transaction', async () => {
    const { t, admin } = await aTenantWithAdmin();
    const rows = Array.from({ length: 2500 }, (_, i) => `bulk${i},CustomerBasic,Zentrale,${i}`);
    const res = await importCsv(admin, t, ['loginName,roles,companies,field:cost_centre', ...rows].join('\r\n'));
    expect(res.statusCode, res.body).toBe(202);
    const url = res.headers.location as string;
    let job = res.json();
    for (let i = 0; i < 200 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await admin.call('GET', url)).json();
    }
    expect(job).toMatchObject({ status: 'succeeded', created: 2500, total: 2500 });
    expect(await userCount(t)).toBe(2501);
    const [event] = await h.k.deps.store.read((r) => r.audit.list(t.id, { limit: 1, action: 'users.imported' }));
    expect(event?.details).toMatchObject({ created: 2500, mode: 'create' });
  });
});
