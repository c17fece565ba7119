import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { type Client, type HttpKit, httpKit, problem } from '../http/http-kit.js';
import { ADMIN_ROLES } from '../http/scene.js';

// Issue 15 #2: apps (OAuth clients) registered by a tenant's administrators through the API.
let h: HttpKit;
let t: Tenant;
let admin: Client;
beforeAll(async () => {
  h = await httpKit();
  t = await h.k.aTenant(h.k.root, 'reseller');
  admin = await h.signedIn(t, ADMIN_ROLES);
});
afterAll(async () => h?.close());

const base = () => `/api/v1/tenants/${t.id}/apps`;
const shop = { name: 'Shop', redirectUris: ['https://shop.example/callback'] };
const hashAtRest = async (id: string) =>
  (await h.k.db.kysely.selectFrom('oidc_apps').select('secret_hash').where('id', '=', id).executeTakeFirstOrThrow())
    .secret_hash;
/** The app's events, oldest first (the log lists newest first). */
const eventsOf = async (id: string) =>
  (await h.k.deps.store.read((r) => r.audit.list(t.id, { targetId: id, limit: 20 }))).reverse();
const fieldCodes = (res: { json(): { errors?: { field: string; code: string }[] } }) =>
  (res.json().errors ?? []).map((e) => `${e.field}:${e.code}`);

describe('registering an app', () => {
  it('generates the client_id and a secret shown once, stored only as its SHA-256', async () => {
    const res = await admin.call('POST', base(), shop);
    expect(res.statusCode, res.body).toBe(201);
    const app = res.json();
    expect(app.id).toMatch(/^app_[A-Za-z0-9_-]{22}$/);
    expect(app.clientSecret).toMatch(/^ks_[A-Za-z0-9_-]{43}$/);
    expect(app).toMatchObject({
      tenantId: t.id,
      kind: 'confidential',
      authMethod: 'client_secret_basic',
      hasSecret: true,
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'profile', 'email', 'kontor.tenant'],
      firstParty: false,
      enabled: true,
      version: 1,
    });
    expect(app).not.toHaveProperty('secretHash');
    expect(await hashAtRest(app.id)).toBe(sha256(app.clientSecret));
    // Never again: not in the list, not in the app, not in the activity log.
    const again = [await admin.call('GET', base()), await admin.call('GET', `${base()}/${app.id}`)];
    for (const r of again) {
      expect(r.statusCode).toBe(200);
      expect(r.body).not.toContain(app.clientSecret);
      expect(r.body).not.toContain(sha256(app.clientSecret));
      expect(r.body).not.toContain('secretHash');
    }
    expect(again[1]?.headers.etag).toBe('"1"');
    const events = await eventsOf(app.id);
    expect(events.map((e) => [e.action, e.actorUserId])).toEqual([['app.created', admin.user.id]]);
    expect(JSON.stringify(events)).not.toContain(app.clientSecret);
    expect(JSON.stringify(events)).not.toContain(sha256(app.clientSecret));
  });

  it('registers a public app and a private_key_jwt app without any secret', async () => {
    const spa = await admin.call('POST', base(), { ...shop, name: 'SPA', kind: 'public' });
    expect(spa.statusCode, spa.body).toBe(201);
    expect(spa.json()).toMatchObject({ authMethod: 'none', hasSecret: false });
    expect(spa.json()).not.toHaveProperty('clientSecret');
    const key = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    };
    const jwt = await admin.call('POST', base(), {
      name: 'Batch',
      authMethod: 'private_key_jwt',
      jwks: { keys: [key] },
      grantTypes: ['client_credentials'],
    });
    expect(jwt.statusCode, jwt.body).toBe(201);
    expect(jwt.json()).toMatchObject({ hasSecret: false, jwks: { keys: [key] }, redirectUris: [], scopes: [] });
    problem(await admin.call('POST', `${base()}/${jwt.json().id}/secret`), 409, 'app.no_secret');
  });

  it.each([
    [{ ...shop, redirectUris: ['http://shop.example/cb'] }, 'redirectUris[0]:app.uri_insecure'],
    [{ ...shop, redirectUris: ['https://shop.example/cb#x'] }, 'redirectUris[0]:app.uri_fragment'],
    [{ ...shop, redirectUris: ['https://*.shop.example/cb'] }, 'redirectUris[0]:app.uri_wildcard'],
    [{ ...shop, postLogoutRedirectUris: ['/bye'] }, 'postLogoutRedirectUris[0]:app.uri_format'],
    [{ ...shop, backchannelLogoutUri: 'http://shop.example/bcl' }, 'backchannelLogoutUri:app.uri_insecure'],
    [{ ...shop, scopes: ['profile'] }, 'scopes:app.openid_required'],
    [{ ...shop, kind: 'public', grantTypes: ['client_credentials'] }, 'grantTypes:app.grant_needs_confidential'],
    [{ ...shop, grantTypes: ['client_credentials', 'refresh_token'] }, 'grantTypes:app.refresh_needs_code'],
    [{ ...shop, kind: 'public', authMethod: 'client_secret_post' }, 'authMethod:app.auth_method_kind'],
    [{ ...shop, authMethod: 'private_key_jwt' }, 'jwks:app.jwks_required'],
    [
      { ...shop, authMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      'jwks.keys[0]:app.jwk_private',
    ],
    [{ ...shop, firstParty: true }, 'firstParty:app.first_party_operator_only'],
    [{ name: 'No way back' }, 'redirectUris:app.redirect_uri_required'],
  ])('refuses %j with app.invalid naming %s', async (body, expected) => {
    const before = (await admin.call('GET', base())).json().items.length;
    const res = await admin.call('POST', base(), body);
    problem(res, 400, 'app.invalid');
    expect(fieldCodes(res)).toContain(expected);
    expect((await admin.call('GET', base())).json().items).toHaveLength(before);
  });

  it('refuses scopes and grant types it does not offer before anything else', async () => {
    problem(await admin.call('POST', base(), { ...shop, scopes: ['openid', 'admin'] }), 400, 'validation.invalid');
    problem(await admin.call('POST', base(), { ...shop, grantTypes: ['password'] }), 400, 'validation.invalid');
  });
});

describe('changing an app', () => {
  it('updates URIs and scopes under If-Match, refuses a stale version and checks the result again', async () => {
    const app = (await admin.call('POST', base(), { ...shop, name: 'Editable' })).json();
    const url = `${base()}/${app.id}`;
    const patch = { redirectUris: ['https://shop.example/cb2', 'http://127.0.0.1:8080/cb'], scopes: ['openid'] };
    const res = await admin.call('PATCH', url, patch, { headers: { 'if-match': '"1"' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ...patch, version: 2, hasSecret: true });
    expect(res.headers.etag).toBe('"2"');
    problem(
      await admin.call('PATCH', url, { name: 'Late' }, { headers: { 'if-match': '"1"' } }),
      412,
      'resource.stale',
    );
    const bad = await admin.call('PATCH', url, { redirectUris: [] });
    problem(bad, 400, 'app.invalid');
    expect(fieldCodes(bad)).toEqual(['redirectUris:app.redirect_uri_required']);
    problem(await admin.call('PATCH', url, { kind: 'public' }), 400, 'validation.invalid');
    const disabled = await admin.call('PATCH', url, { enabled: false });
    expect(disabled.json()).toMatchObject({ enabled: false, version: 3 });
    // The secret is untouched by an update.
    expect(await hashAtRest(app.id)).toBe(sha256(app.clientSecret));
    const events = await eventsOf(app.id);
    expect(events.filter((e) => e.action === 'app.updated').map((e) => e.details)).toEqual([patch, { enabled: false }]);
  });

  it('rotates the secret: a new one shown once, the old hash gone at once', async () => {
    const app = (await admin.call('POST', base(), { ...shop, name: 'Rotating' })).json();
    const res = await admin.call('POST', `${base()}/${app.id}/secret`);
    expect(res.statusCode, res.body).toBe(200);
    const fresh = res.json().clientSecret as string;
    expect(fresh).toMatch(/^ks_/);
    expect(fresh).not.toBe(app.clientSecret);
    expect(await hashAtRest(app.id)).toBe(sha256(fresh));
    const events = await eventsOf(app.id);
    const rotated = events.find((e) => e.action === 'app.secret_rotated');
    expect(rotated?.details).toEqual({ name: 'Rotating' });
    expect(JSON.stringify(events)).not.toContain(fresh);
  });

  it('removes an app: gone from the list, audited, a second removal is 404', async () => {
    const app = (await admin.call('POST', base(), { ...shop, name: 'Doomed' })).json();
    expect((await admin.call('DELETE', `${base()}/${app.id}`)).statusCode).toBe(204);
    problem(await admin.call('GET', `${base()}/${app.id}`), 404, 'resource.not_found');
    problem(await admin.call('DELETE', `${base()}/${app.id}`), 404, 'resource.not_found');
    const events = await eventsOf(app.id);
    expect(events.map((e) => e.action)).toEqual(['app.created', 'app.deleted']);
  });
});

describe('Idempotency-Key on the answers with a secret', () => {
  it('never replays a secret: a repeat is refused, and only one app was made', async () => {
    const key = { 'idempotency-key': 'app-once' };
    const body = { ...shop, name: 'Once' };
    const first = await admin.call('POST', base(), body, { headers: key });
    expect(first.statusCode).toBe(201);
    const secret = first.json().clientSecret as string;
    const replay = await admin.call('POST', base(), body, { headers: key });
    problem(replay, 409, 'request.secret_not_replayable');
    expect(replay.body).not.toContain(secret);
    const named = (await admin.call('GET', base())).json().items.filter((a: { name: string }) => a.name === 'Once');
    expect(named).toHaveLength(1);
    const rotateKey = { 'idempotency-key': 'rotate-once' };
    const rotated = await admin.call('POST', `${base()}/${first.json().id}/secret`, undefined, { headers: rotateKey });
    const again = await admin.call('POST', `${base()}/${first.json().id}/secret`, undefined, { headers: rotateKey });
    problem(again, 409, 'request.secret_not_replayable');
    expect(again.body).not.toContain(rotated.json().clientSecret);
    const rows = await h.k.db.kysely.selectFrom('idempotency_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(rotated.json().clientSecret);
  });
});
