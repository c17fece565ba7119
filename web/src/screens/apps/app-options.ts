/** The scopes and grant types the server offers (its schema refuses anything else), in plain words. */
export const SCOPES = [
  { value: 'openid', label: 'openid: sign-in (the user id)' },
  { value: 'profile', label: 'profile: the name' },
  { value: 'email', label: 'email: the address, when verified' },
  { value: 'offline_access', label: 'offline_access: refresh tokens' },
  { value: 'kontor.tenant', label: 'kontor.tenant: acting tenant and roles' },
  { value: 'kontor.permissions', label: 'kontor.permissions: app permissions held there' },
  { value: 'kontor.decisions', label: 'kontor.decisions: ask /check with its own token (needs decisions.read)' },
];

export const GRANTS = [
  { value: 'authorization_code', label: 'Sign-in (authorization code)' },
  { value: 'refresh_token', label: 'Refresh tokens' },
  { value: 'client_credentials', label: 'Machine access (client credentials)' },
];

export type Scope =
  | 'openid'
  | 'profile'
  | 'email'
  | 'offline_access'
  | 'kontor.tenant'
  | 'kontor.permissions'
  | 'kontor.decisions';
export type Grant = 'authorization_code' | 'refresh_token' | 'client_credentials';
