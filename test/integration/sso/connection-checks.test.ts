import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { startOp, type TestOp } from './op.js';
import { type Admin, type SsoKit, ssoKit } from './sso-kit.js';

/**
 * Issue 21 #4: a connection's set-up is checked against the provider when it is saved and on
 * "Test connection" — issuer exactly as announced, code flow with S256, an algorithm the provider
 * signs with, a key for it — so a mistake shows up at once, not when a person clicks the button.
 */

let kit: SsoKit;
let op: TestOp;
let t: Tenant;
let admin: Admin;

beforeAll(async () => {
  kit = await ssoKit();
  op = await startOp({ path: '/realms/checks' });
  t = await kit.k.aTenant(kit.k.root, 'reseller');
  admin = await kit.admin(t);
});
afterAll(async () => {
  await kit?.close();
  await op?.close();
});

const base = () => `/api/v1/tenants/${t.id}/sso-connections`;
type Check = { check: string; ok: boolean; detail: string };
const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.check, c]));

async function create(body: Record<string, unknown>) {
  const res = await admin.call('POST', base(), { name: 'IdP', clientId: 'kontor', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; checks: Check[] };
}

describe('checking an SSO connection against its provider', () => {
  it('reports every check as passed for a sound set-up, on save and on test', async () => {
    const c = await create({ issuer: op.issuer });
    expect(c.checks.map((x) => [x.check, x.ok])).toEqual([
      ['discovery', true],
      ['issuer', true],
      ['code_flow', true],
      ['algorithms', true],
      ['jwks', true],
    ]);
    const tested = await admin.call('POST', `${base()}/${c.id}/test`);
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json().ok).toBe(true);
    expect(tested.json().checks).toHaveLength(5);
  });

  it('saves an issuer that differs from the announced one by a trailing slash, and says so', async () => {
    const c = await create({ issuer: `${op.issuer}/` });
    const issuer = byName(c.checks).issuer;
    expect(issuer?.ok).toBe(false);
    expect(issuer?.detail).toContain(`"${op.issuer}"`);
    const tested = (await admin.call('POST', `${base()}/${c.id}/test`)).json();
    expect(tested.ok).toBe(false);
    // Corrected by a PATCH, whose answer checks again.
    const fixed = await admin.call('PATCH', `${base()}/${c.id}`, { issuer: op.issuer });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json().checks.every((x: Check) => x.ok)).toBe(true);
  });

  it('names an algorithm the provider does not sign with, and the missing key', async () => {
    const c = await create({ issuer: op.issuer, idTokenAlgs: ['ES256'] });
    const checks = byName(c.checks);
    expect(checks.algorithms).toMatchObject({ ok: false });
    expect(checks.algorithms?.detail).toContain('RS256');
    expect(checks.jwks).toMatchObject({ ok: false });
  });

  it('reports a provider that answers with an error as a failed discovery, and one that is gone as unreachable', async () => {
    const c = await create({ issuer: op.issuer });
    op.pause();
    try {
      const tested = (await admin.call('POST', `${base()}/${c.id}/test`)).json();
      expect(tested.ok).toBe(false);
      expect(tested.checks).toEqual([expect.objectContaining({ check: 'discovery', ok: false })]);
    } finally {
      op.resume();
    }
    const gone = await startOp({ path: '/realms/gone' });
    const doomed = await create({ issuer: gone.issuer });
    await gone.close();
    const res = await admin.call('POST', `${base()}/${doomed.id}/test`);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('sso.issuer_unreachable');
  });

  it('tests only connections of the acting tenant, for holders of sso.manage', async () => {
    const c = await create({ issuer: op.issuer });
    const other = await kit.admin(await kit.k.aTenant(kit.k.root, 'reseller'));
    expect((await other.call('POST', `${base()}/${c.id}/test`)).statusCode).toBe(404);
    const missing = await admin.call('POST', `${base()}/00000000-0000-4000-8000-000000000000/test`);
    expect(missing.statusCode).toBe(404);
  });
});
