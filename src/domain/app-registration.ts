import {
  APP_GRANT_TYPES,
  APP_SCOPES,
  type App,
  type AppAuthMethod,
  type AppGrantType,
  type AppKind,
  DECISIONS_SCOPE,
} from './apps.js';
import type { FieldError } from './errors.js';

/**
 * The rules an app registration (issue 15 #2) must follow, checked on create and on every
 * update against the whole resulting registration. Pure: the app layer throws `app.invalid`
 * with these field errors.
 */
export type AppRegistration = Pick<
  App,
  | 'name'
  | 'kind'
  | 'authMethod'
  | 'jwks'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'backchannelLogoutUri'
  | 'scopes'
  | 'grantTypes'
  | 'firstParty'
>;

export const APP_KINDS: readonly AppKind[] = ['confidential', 'public'];
export const APP_AUTH_METHODS: readonly AppAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];
/** Methods whose client authenticates with a secret Kontor generates (shown once, stored hashed). */
export const usesSecret = (m: AppAuthMethod): boolean => m === 'client_secret_basic' || m === 'client_secret_post';

/** What an app gets when the registration does not say. */
export const defaultAuthMethod = (kind: AppKind): AppAuthMethod => (kind === 'public' ? 'none' : 'client_secret_basic');
export const DEFAULT_GRANT_TYPES: readonly AppGrantType[] = ['authorization_code'];
export const defaultScopes = (grants: readonly AppGrantType[]): string[] =>
  grants.includes('authorization_code') ? ['openid', 'profile', 'email', 'kontor.tenant'] : [];

// Plain http only on this machine (development): a redirect to any other http host could be
// read on the way, and with it the code. `localhost` is accepted as the issue asks; RFC 8252
// prefers the IP literals because a name can be re-pointed.
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
// The characters a private JWK (EC, RSA, OKP) or a symmetric one (oct) carries its secret in.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The problem with one URI an app registers, or undefined when it is acceptable. */
export function uriProblem(raw: string): { code: string; message: string } | undefined {
  // The OP compares URIs as strings: a pattern or a fragment could never match, or would match too much.
  if (raw.includes('*')) return { code: 'app.uri_wildcard', message: 'Wildcards are not allowed: list every URI' };
  if (/\s/.test(raw) || raw.length > 2000) return { code: 'app.uri_format', message: 'An absolute URL' };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { code: 'app.uri_format', message: 'An absolute URL' };
  }
  if (raw.includes('#')) return { code: 'app.uri_fragment', message: 'A URI with no fragment (#…)' };
  if (u.username || u.password) return { code: 'app.uri_format', message: 'No user name or password in the URI' };
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return undefined;
  return { code: 'app.uri_insecure', message: 'An https URL (http only for 127.0.0.1, [::1] or localhost)' };
}

function checkUris(errors: FieldError[], field: string, uris: readonly string[]): void {
  uris.forEach((uri, i) => {
    const p = uriProblem(uri);
    if (p) errors.push({ field: `${field}[${i}]`, ...p });
  });
}

/** Public keys only: a registration never holds (and so can never leak) a private key. */
function checkJwks(errors: FieldError[], jwks: App['jwks']): void {
  const keys = jwks?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    errors.push({ field: 'jwks', code: 'app.jwks_required', message: 'private_key_jwt needs at least one public key' });
    return;
  }
  keys.forEach((key, i) => {
    if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string') {
      errors.push({ field: `jwks.keys[${i}]`, code: 'app.jwk_format', message: 'A JWK with kty' });
    } else if (PRIVATE_JWK_MEMBERS.some((m) => m in key)) {
      errors.push({
        field: `jwks.keys[${i}]`,
        code: 'app.jwk_private',
        message: 'A public key only: this JWK carries private or symmetric key material',
      });
    }
  });
}

/** Every problem of a registration; empty when it may be stored. */
export function registrationProblems(
  a: AppRegistration,
  opts: { operator: boolean; mayAllowDecisions?: boolean },
): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string) => errors.push({ field, code, message });
  if (a.name.trim() === '' || [...a.name].length > 100) fail('name', 'too_long', '1 to 100 characters');
  if ((a.kind === 'public') !== (a.authMethod === 'none')) {
    fail(
      'authMethod',
      'app.auth_method_kind',
      'A public app uses none; a confidential app a secret or private_key_jwt',
    );
  }
  if (a.authMethod === 'private_key_jwt') checkJwks(errors, a.jwks);
  else if (a.jwks) fail('jwks', 'app.jwks_unused', 'Keys are registered for private_key_jwt only');
  checkUris(errors, 'redirectUris', a.redirectUris);
  checkUris(errors, 'postLogoutRedirectUris', a.postLogoutRedirectUris);
  const backchannel = a.backchannelLogoutUri === null ? undefined : uriProblem(a.backchannelLogoutUri);
  if (backchannel) errors.push({ field: 'backchannelLogoutUri', ...backchannel });
  checkGrants(a, fail);
  for (const s of a.scopes) {
    if (!(APP_SCOPES as readonly string[]).includes(s)) fail('scopes', 'app.scope_unknown', `Unknown scope ${s}`);
  }
  // An app with kontor.decisions asks /check for the owner's whole subtree: only someone who
  // may ask it (decisions.read) gives an app that power.
  if (a.scopes.includes(DECISIONS_SCOPE) && opts.mayAllowDecisions === false) {
    fail('scopes', 'app.decisions_not_held', `Only a holder of decisions.read allows ${DECISIONS_SCOPE}`);
  }
  // Skipping consent speaks for the vendor: an app a tenant registers asks its users, always.
  if (a.firstParty && !opts.operator) {
    fail('firstParty', 'app.first_party_operator_only', 'Only the operator registers first-party apps');
  }
  return errors;
}

function checkGrants(a: AppRegistration, fail: (field: string, code: string, message: string) => void): void {
  const grants = a.grantTypes;
  if (grants.length === 0) fail('grantTypes', 'app.grant_required', 'At least one grant type');
  for (const g of grants) {
    if (!APP_GRANT_TYPES.includes(g)) fail('grantTypes', 'app.grant_unknown', `Unknown grant type ${g}`);
  }
  const code = grants.includes('authorization_code');
  // A public client holds no credential: a client_credentials token would be anyone's.
  if (grants.includes('client_credentials') && a.kind === 'public') {
    fail('grantTypes', 'app.grant_needs_confidential', 'client_credentials is for confidential apps only');
  }
  if (grants.includes('refresh_token') && !code) {
    fail('grantTypes', 'app.refresh_needs_code', 'refresh_token only together with authorization_code');
  }
  if (code && !a.scopes.includes('openid')) fail('scopes', 'app.openid_required', 'Sign-in needs the openid scope');
  if (code && a.redirectUris.length === 0) {
    fail('redirectUris', 'app.redirect_uri_required', 'authorization_code needs at least one redirect URI');
  }
}
