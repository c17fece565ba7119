import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveConfig, REDACTED } from '../../../src/config/effective-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';

let h: HttpKit;
let ops: Client;
beforeAll(async () => {
  h = await httpKit();
  ops = await h.signedIn(h.k.root, ['OperationAdvanced']);
});
afterAll(async () => h?.close());

const systemEvents = async (action: string) =>
  h.k.db.kysely
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', h.k.root.id)
    .where('action', '=', action)
    .execute();

describe('POST /api/v1/system/purge', () => {
  it('purges expired sign-in state now and audits the run in the root provider’s log', async () => {
    const t = await h.k.aTenant(h.k.root, 'reseller');
    await h.k.aUserIn(t, ['CustomerBasic'], { login: 'gone-soon', password: 'correct horse battery staple' });
    expect((await h.login(t, 'gone-soon')).statusCode).toBe(200);
    // Revoked sessions are purged at once, whatever their age.
    await h.k.db.kysely
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('acting_tenant_id', '=', t.id)
      .execute();
    const res = await ops.call('POST', '/api/v1/system/purge');
    expect(res.statusCode).toBe(200);
    expect(res.json().purged.sessions).toBeGreaterThanOrEqual(1);
    expect(
      await h.k.db.kysely.selectFrom('sessions').where('acting_tenant_id', '=', t.id).selectAll().execute(),
    ).toEqual([]);
    const events = await systemEvents('system.purge_run');
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_user_id).toBe(ops.user.id);
  });

  it('is refused to OperationBasic and to an administrator', async () => {
    const basic = await h.signedIn(h.k.root, ['OperationBasic']);
    problem(await basic.call('POST', '/api/v1/system/purge'), 403, 'grant.missing_permission');
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced']);
    problem(await admin.call('POST', '/api/v1/system/audit-verify'), 403, 'grant.missing_permission');
    problem(await h.app.inject({ method: 'POST', url: '/api/v1/system/purge' }), 401, 'auth.unauthenticated');
  });
});

describe('POST /api/v1/system/keys/rotate', () => {
  it('rotates the signing keys: the old stay published, the new sign, the event names the operator', async () => {
    const jwks = async () =>
      ((await h.app.inject({ method: 'GET', url: '/oidc/jwks' })).json() as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    const before = await jwks();
    const res = await ops.call('POST', '/api/v1/system/keys/rotate');
    expect(res.statusCode, res.body).toBe(200);
    const { retired, added, publishUntil } = res.json() as { retired: string[]; added: string[]; publishUntil: string };
    expect(added).toHaveLength(2);
    expect([...retired].sort()).toEqual([...before].sort());
    expect(Date.parse(publishUntil)).toBeGreaterThan(Date.now());
    const rows = await h.k.db.kysely.selectFrom('oidc_keys').select(['kid', 'retired_at']).execute();
    expect(
      rows
        .filter((r) => r.retired_at === null)
        .map((r) => r.kid)
        .sort(),
    ).toEqual([...added].sort());
    const events = await systemEvents('oidc.key_rotated');
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_user_id).toBe(ops.user.id);
    expect(events[0]?.details).toMatchObject({ by: 'api', added });
  });

  it('is refused to OperationBasic and to an administrator', async () => {
    const basic = await h.signedIn(h.k.root, ['OperationBasic']);
    problem(await basic.call('POST', '/api/v1/system/keys/rotate'), 403, 'grant.missing_permission');
    const admin = await h.signedIn(h.k.root, ['AdministrationAdvanced']);
    problem(await admin.call('POST', '/api/v1/system/keys/rotate'), 403, 'grant.missing_permission');
  });
});

describe('POST /api/v1/system/audit-verify', () => {
  it('answers ok or the broken sequence per tenant id, with no names', async () => {
    const name = `Chain Tenant ${randomBytes(4).toString('hex')}`;
    const t = await h.k.aTenant(h.k.root, 'reseller');
    await h.k.db.kysely.updateTable('tenants').set({ name }).where('id', '=', t.id).execute();
    const admin = await h.signedIn(t, ['AdministrationAdvanced']);
    for (const login of ['one', 'two', 'three']) {
      expect((await admin.call('POST', `/api/v1/tenants/${t.id}/users`, { loginName: login })).statusCode).toBe(201);
    }
    const intact = (await ops.call('POST', '/api/v1/system/audit-verify')).json();
    expect(intact.broken).toBe(0);
    expect(intact.tenants.find((v: { tenantId: string }) => v.tenantId === t.id)).toMatchObject({ status: 'ok' });
    // Someone with DBA rights edits the second event of the tenant's chain, trigger off.
    const db = h.k.db.kysely;
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(db);
    try {
      await sql`UPDATE audit_events SET action = 'user.tampered' WHERE tenant_id = ${t.id} AND seq = 2`.execute(db);
    } finally {
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(db);
    }
    const res = await ops.call('POST', '/api/v1/system/audit-verify');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.broken).toBe(1);
    expect(body.tenants.find((v: { tenantId: string }) => v.tenantId === t.id)).toMatchObject({
      status: 'broken',
      brokenAtSeq: 2,
    });
    expect(body.tenants.find((v: { tenantId: string }) => v.tenantId === h.k.root.id)?.status).toBe('ok');
    expect(res.body).not.toContain(name);
    expect(res.body).not.toContain(t.slug);
    for (const v of body.tenants)
      expect(Object.keys(v).sort()).toEqual(expect.arrayContaining(['events', 'status', 'tenantId']));
    const events = await systemEvents('system.audit_verified');
    expect(events.at(-1)?.details).toMatchObject({ broken: 1, brokenTenantIds: [t.id] });
  });
});

describe('GET /api/v1/system/config', () => {
  it('shows the effective configuration to OperationBasic, with secrets redacted', async () => {
    const basic = await h.signedIn(h.k.root, ['OperationBasic']);
    const res = await basic.call('GET', '/api/v1/system/config');
    expect(res.statusCode).toBe(200);
    const config = res.json().config;
    expect(config.sessionIdleSeconds).toBe(h.k.config.sessionIdleSeconds);
    expect(config.login).toEqual({ ...h.k.config.login });
    const customer = await h.signedIn(h.k.root, ['CustomerBasic']);
    problem(await customer.call('GET', '/api/v1/system/config'), 403, 'grant.missing_permission');
  });

  it('redacts keys, passwords in URLs and secret-named fields', () => {
    const key = randomBytes(32).toString('base64');
    const config = loadConfig({
      KONTOR_SECRET_KEY: key,
      DATABASE_URL: 'postgres://kontor:db-pass-123@db.internal:5432/kontor',
      DATABASE_READ_URL: 'postgres://reader:read-pass-456@replica.internal/kontor',
      KONTOR_SMTP_URL: 'smtps://mailer:smtp-pass-789@smtp.example.com:465',
    });
    const view = effectiveConfig(config);
    const text = JSON.stringify(view);
    for (const secret of [key, 'db-pass-123', 'read-pass-456', 'smtp-pass-789']) expect(text).not.toContain(secret);
    expect(view.secretKey).toBe(REDACTED);
    expect(view.databaseUrl).toBe(`postgres://kontor:${REDACTED}@db.internal:5432/kontor`);
    expect(view.smtpUrl).toBe(`smtps://mailer:${REDACTED}@smtp.example.com:465`);
    expect(effectiveConfig(loadConfig({})).secretKey).toBeNull();
  });
});
