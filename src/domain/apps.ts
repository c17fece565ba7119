/**
 * Apps of the vendor that sign people in through Kontor's OpenID Provider (issue 15). An app
 * is an OAuth client: registered by the operator (installation-wide, `tenantId` null) or by a
 * tenant's administrators (the app serves that tenant and its subtree).
 */
export type AppKind = 'confidential' | 'public';
export type AppAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export type AppGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export const APP_GRANT_TYPES: readonly AppGrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];
/**
 * The scopes an app may be allowed; `kontor.permissions` adds the app permissions held in the
 * acting tenant; `kontor.decisions` lets the app's access tokens ask `/check` (decision 0016).
 */
export const APP_SCOPES = [
  'openid',
  'profile',
  'email',
  'offline_access',
  'kontor.tenant',
  'kontor.permissions',
  'kontor.decisions',
] as const;

/** The scope under which an OP access token may ask Kontor's decision API (`/check`). */
export const DECISIONS_SCOPE = 'kontor.decisions';

export interface App {
  /** The OAuth client_id. */
  id: string;
  tenantId: string | null;
  name: string;
  kind: AppKind;
  authMethod: AppAuthMethod;
  /** SHA-256 (hex) of the client secret; never the secret. */
  secretHash: string | null;
  /** Public keys for private_key_jwt. */
  jwks: { keys: unknown[] } | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  scopes: string[];
  grantTypes: AppGrantType[];
  /** First-party apps skip the consent screen. */
  firstParty: boolean;
  enabled: boolean;
  version: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type AppPatch = Partial<
  Pick<
    App,
    | 'name'
    | 'redirectUris'
    | 'postLogoutRedirectUris'
    | 'backchannelLogoutUri'
    | 'scopes'
    | 'grantTypes'
    | 'firstParty'
    | 'enabled'
    | 'jwks'
    | 'secretHash'
  >
>;

/** Storage of apps. `tenantId` null lists or finds operator apps only. */
export interface AppRepo {
  insert(app: Omit<App, 'version'>): Promise<App>;
  /** Any app by client_id (the OP's lookup); undefined when unknown. */
  findById(id: string): Promise<App | undefined>;
  /** The apps owned by a tenant (or the operator's, for null), by name. */
  list(tenantId: string | null): Promise<App[]>;
  /**
   * Changes an app of the owner `tenantId` (null: the operator's). Throws resource.stale when
   * `expectedVersion` is given and differs; not_found when absent or another owner's.
   */
  update(tenantId: string | null, id: string, patch: AppPatch, now: Date, expectedVersion?: number): Promise<App>;
  /** True when an app of the owner `tenantId` (null: the operator's) was deleted. */
  delete(tenantId: string | null, id: string): Promise<boolean>;
}
