import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany, createField } from '../../../src/app/companies.js';
import { createUser } from '../../../src/app/create-user.js';
import { applyRoles } from '../../../src/app/roles.js';
import { readRolesFile } from '../../../src/config/catalogue-files.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { TEST_PASSWORD } from '../../fixtures/kontor.js';
import { type Client, type HttpKit, httpKit, problem } from './http-kit.js';

let h: HttpKit;
let t: Tenant;
let admin: Client;
beforeAll(async () => {
  h = await httpKit();
  // An operator-defined role that may export but is not AdministrationAdvanced.
  await applyRoles(
    h.k.deps,
    null,
    [
      ...readRolesFile('config/roles.yaml'),
      { key: 'Exporter', name: 'Exporter', category: 'business', description: '', permissions: ['users.export'] },
    ],
    { dryRun: false },
  );
  t = await h.k.aTenant(h.k.root, 'reseller');
  admin = await h.signedIn(t, ['AdministrationAdvanced', 'AdministrationBasic']);
  const ctx = await h.k.ctx(admin.user);
  await createField(h.k.deps, ctx, { tenantId: t.id, key: 'cost_centre', label: 'Cost centre', type: 'number' });
  const hq = await createCompany(h.k.deps, ctx, { tenantId: t.id, name: 'Zentrale' });
  await createUser(h.k.deps, ctx, {
    tenantId: t.id,
    loginName: 'mallory',
    displayName: '=HYPERLINK("http://evil.example","click")',
    email: 'mallory@example.com',
    roles: ['Marketing', 'CustomerBasic'],
    companyIds: [hq.id],
    customFields: { cost_centre: 4711 },
    password: TEST_PASSWORD,
  });
});
afterAll(async () => h?.close());

const url = (q = '') => `/api/v1/tenants/${t.id}/users/export${q}`;

describe('user export', () => {
  it('streams RFC 4180 CSV with roles, companies and custom fields, formulas neutralised', async () => {
    const res = await admin.call('GET', url('?format=csv'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body).toContain('\r\n');
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    const m = rows.find((r) => r.loginName === 'mallory');
    expect(m).toMatchObject({
      email: 'mallory@example.com',
      displayName: '\'=HYPERLINK("http://evil.example","click")',
      roles: 'CustomerBasic;Marketing',
      companies: 'Zentrale',
      'field:cost_centre': '4711',
      type: 'secondary',
      state: 'active',
    });
    expect(Object.keys(m ?? {})).not.toContain('passwordHash');
  });

  it('exports JSON with the same data', async () => {
    const res = await admin.call('GET', url('?format=json'));
    expect(res.statusCode).toBe(200);
    const m = (res.json().users as { loginName: string }[]).find((u) => u.loginName === 'mallory');
    expect(m).toMatchObject({ roles: ['CustomerBasic', 'Marketing'], customFields: { cost_centre: 4711 } });
  });

  it('includes argon2id hashes only for AdministrationAdvanced, and audits it', async () => {
    const res = await admin.call('GET', url('?format=json&passwordHashes=true'));
    const m = (res.json().users as { loginName: string; passwordHash: string }[]).find(
      (u) => u.loginName === 'mallory',
    );
    expect(m?.passwordHash).toMatch(/^\$argon2id\$/);
    const [event] = await h.k.deps.store.read((r) => r.audit.list(t.id, { limit: 1 }));
    expect(event).toMatchObject({ action: 'users.exported_with_password_hashes', actorUserId: admin.user.id });
    const exporter = await h.signedIn(t, ['Exporter']);
    expect((await exporter.call('GET', url())).statusCode).toBe(200);
    problem(await exporter.call('GET', url('?passwordHashes=true')), 403, 'grant.missing_permission');
  });

  it('refuses a user without users.export, and another tenant’s id like a missing one', async () => {
    const clerk = await h.signedIn(t, ['CustomerBasic']);
    problem(await clerk.call('GET', url()), 403, 'grant.missing_permission');
    const other = await h.k.aTenant(h.k.root, 'reseller');
    const sibling = problem(await admin.call('GET', `/api/v1/tenants/${other.id}/users/export`), 404);
    const random = problem(
      await admin.call('GET', '/api/v1/tenants/00000000-0000-4000-8000-000000000000/users/export'),
      404,
    );
    expect(sibling).toEqual(random);
    problem(await admin.call('GET', url('?format=xml')), 400, 'validation.invalid');
  });
});
