import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpKit, opKit } from './op-kit.js';

describe('OP discovery and keys', () => {
  let kit: OpKit;
  beforeAll(async () => {
    kit = await opKit();
  });
  afterAll(async () => kit?.close());

  it('announces the issuer under /oidc with code flow, PKCE S256 and no symmetric or none algorithms', async () => {
    const res = await fetch(`${kit.op.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, unknown>;
    expect(d.issuer).toBe(kit.op.issuer);
    expect(d.response_types_supported).toEqual(['code']);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    const algs = [
      ...(d.id_token_signing_alg_values_supported as string[]),
      ...(d.token_endpoint_auth_signing_alg_values_supported as string[]),
      ...((d.userinfo_signing_alg_values_supported as string[]) ?? []),
    ];
    expect(algs.length).toBeGreaterThan(0);
    expect(algs.filter((a) => a === 'none' || a.startsWith('HS'))).toEqual([]);
    expect(d.token_endpoint_auth_methods_supported).not.toContain('client_secret_jwt');
    expect(d.backchannel_logout_supported).toBe(true);
    expect(d.introspection_endpoint).toBe(`${kit.op.issuer}/token/introspection`);
    expect(d.revocation_endpoint).toBe(`${kit.op.issuer}/token/revocation`);
    expect(d.end_session_endpoint).toBe(`${kit.op.issuer}/session/end`);
  });

  it('publishes one ES256 and one RS256 public key, sealed at rest', async () => {
    const res = await fetch(`${kit.op.issuer}/jwks`);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const k of keys) expect(k).not.toHaveProperty('d');
    const rows = await kit.k.db.kysely.selectFrom('oidc_keys').selectAll().execute();
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.private_jwk_sealed).not.toContain('"d"');
  });

  it('answers malformed requests with OAuth errors, never 5xx', async () => {
    const token = `${kit.op.issuer}/token`;
    const cases: [string, RequestInit][] = [
      [
        token,
        {
          method: 'POST',
          body: 'grant_type=authorization_code',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
      [token, { method: 'POST', body: '{"x":', headers: { 'content-type': 'application/json' } }],
      [
        token,
        {
          method: 'POST',
          body: 'grant_type=nonsense&client_id=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
      [
        `${kit.op.issuer}/token/introspection`,
        { method: 'POST', body: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ],
      [`${kit.op.issuer}/auth?client_id=nope&response_type=code`, {}],
      [`${kit.op.issuer}/auth?client_id=%00%ff&response_type=code&redirect_uri=x`, {}],
      [`${kit.op.issuer}/me`, { headers: { authorization: 'Bearer nonsense' } }],
      [
        token,
        {
          method: 'POST',
          body: 'grant_type=authorization_code&code=%00&client_id=%00&redirect_uri=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
      [
        token,
        {
          method: 'POST',
          body: `grant_type=refresh_token&refresh_token=${'a'.repeat(5000)}&client_id=x`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
    ];
    for (const [url, init] of cases) {
      const res = await fetch(url, { ...init, redirect: 'manual' });
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
      const text = await res.text();
      if ((res.headers.get('content-type') ?? '').includes('json')) expect(JSON.parse(text)).toHaveProperty('error');
      else expect(text).toMatch(/invalid|error|not/i);
    }
  });
});
