import { describe, expect, it } from 'vitest';
import { type AppRegistration, registrationProblems, uriProblem } from './app-registration.js';

const base: AppRegistration = {
  name: 'Shop',
  kind: 'confidential',
  authMethod: 'client_secret_basic',
  jwks: null,
  redirectUris: ['https://shop.example/callback'],
  postLogoutRedirectUris: [],
  backchannelLogoutUri: null,
  scopes: ['openid', 'profile'],
  grantTypes: ['authorization_code', 'refresh_token'],
  firstParty: false,
};
const codes = (a: Partial<AppRegistration>, operator = false) =>
  registrationProblems({ ...base, ...a }, { operator }).map((e) => e.code);

describe('redirect and logout URIs', () => {
  it.each([
    'https://shop.example/callback',
    'https://shop.example:8443/cb?x=1',
    'http://127.0.0.1:3000/cb',
    'http://[::1]:3000/cb',
    'http://localhost/cb',
  ])('accepts %s', (u) => expect(uriProblem(u)).toBeUndefined());

  it.each([
    ['http://shop.example/cb', 'app.uri_insecure'],
    ['http://127.0.0.1.example.com/cb', 'app.uri_insecure'],
    ['javascript:alert(1)', 'app.uri_insecure'],
    ['com.example.app:/cb', 'app.uri_insecure'],
    ['https://shop.example/cb#done', 'app.uri_fragment'],
    ['https://*.shop.example/cb', 'app.uri_wildcard'],
    ['https://shop.example/*', 'app.uri_wildcard'],
    ['/callback', 'app.uri_format'],
    ['https://user:pw@shop.example/cb', 'app.uri_format'],
    ['https://shop.example/a b', 'app.uri_format'],
  ])('refuses %s with %s', (u, code) => expect(uriProblem(u)?.code).toBe(code));

  it('names the offending entry of each list', () => {
    const errors = registrationProblems(
      {
        ...base,
        postLogoutRedirectUris: ['https://ok.example/', 'http://bad.example/'],
        backchannelLogoutUri: 'ftp://x',
      },
      { operator: true },
    );
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['postLogoutRedirectUris[1]', 'app.uri_insecure'],
      ['backchannelLogoutUri', 'app.uri_insecure'],
    ]);
  });
});

describe('kinds, methods, grants and scopes', () => {
  it('accepts a well-formed registration', () => expect(codes({})).toEqual([]));

  it('ties public apps to none and confidential apps to a credential', () => {
    expect(codes({ kind: 'public', authMethod: 'client_secret_basic' })).toContain('app.auth_method_kind');
    expect(codes({ kind: 'confidential', authMethod: 'none' })).toContain('app.auth_method_kind');
    expect(codes({ kind: 'public', authMethod: 'none' })).toEqual([]);
  });

  it('gives client_credentials to confidential apps only, refresh_token only with authorization_code', () => {
    expect(codes({ kind: 'public', authMethod: 'none', grantTypes: ['client_credentials'] })).toContain(
      'app.grant_needs_confidential',
    );
    expect(codes({ grantTypes: ['client_credentials', 'refresh_token'], redirectUris: [] })).toEqual([
      'app.refresh_needs_code',
    ]);
    expect(codes({ grantTypes: ['client_credentials'], redirectUris: [], scopes: [] })).toEqual([]);
    expect(codes({ grantTypes: [] })).toContain('app.grant_required');
    expect(codes({ grantTypes: ['password' as never] })).toContain('app.grant_unknown');
  });

  it('needs openid and a redirect URI for sign-in, and known scopes only', () => {
    expect(codes({ scopes: ['profile'] })).toEqual(['app.openid_required']);
    expect(codes({ redirectUris: [] })).toEqual(['app.redirect_uri_required']);
    expect(codes({ scopes: ['openid', 'admin'] })).toEqual(['app.scope_unknown']);
  });

  it('lets only the operator register a first-party app', () => {
    expect(codes({ firstParty: true })).toEqual(['app.first_party_operator_only']);
    expect(codes({ firstParty: true }, true)).toEqual([]);
  });

  it('lets only a holder of decisions.read allow kontor.decisions', () => {
    const machine: Partial<AppRegistration> = {
      grantTypes: ['client_credentials'],
      redirectUris: [],
      scopes: ['kontor.decisions'],
    };
    const problems = (mayAllowDecisions: boolean) =>
      registrationProblems({ ...base, ...machine }, { operator: false, mayAllowDecisions }).map((e) => e.code);
    expect(problems(false)).toEqual(['app.decisions_not_held']);
    expect(problems(true)).toEqual([]);
  });
});

describe('private_key_jwt', () => {
  const ec = {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  };
  const jwt = { authMethod: 'private_key_jwt' as const };

  it('needs public keys', () => {
    expect(codes({ ...jwt, jwks: { keys: [ec] } })).toEqual([]);
    expect(codes({ ...jwt, jwks: null })).toEqual(['app.jwks_required']);
    expect(codes({ ...jwt, jwks: { keys: [] } })).toEqual(['app.jwks_required']);
    expect(codes({ ...jwt, jwks: { keys: [{ x: 1 }] } })).toEqual(['app.jwk_format']);
  });

  it('refuses a key with private or symmetric parts', () => {
    expect(codes({ ...jwt, jwks: { keys: [{ ...ec, d: 'secret' }] } })).toEqual(['app.jwk_private']);
    expect(codes({ ...jwt, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })).toEqual(['app.jwk_private']);
    expect(codes({ ...jwt, jwks: { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', p: 'y' }] } })).toEqual(['app.jwk_private']);
  });

  it('keeps keys for private_key_jwt only', () => {
    expect(codes({ jwks: { keys: [ec] } })).toEqual(['app.jwks_unused']);
  });
});
