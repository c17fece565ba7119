import type { ColumnType, Generated } from 'kysely';

/** Row types of the database; they stay inside storage. */
type Ts = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  kind: string;
  parent_id: string | null;
  parent_kind: string | null;
  path: string;
  depth: number;
  name: string;
  slug: string;
  status: string;
  settings: Json<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Ts;
  updated_at: Ts;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  login_name: string;
  email: string | null;
  display_name: string;
  type: string;
  state: string;
  password_hash: string | null;
  must_change_password: boolean;
  custom_fields: Json<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Ts;
  updated_at: Ts;
}

export interface RolesTable {
  key: string;
  name: string;
  category: string;
  description: string;
  permissions: string[];
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UserRolesTable {
  tenant_id: string;
  user_id: string;
  role_key: string;
  granted_by: string | null;
  granted_at: Ts;
}

export interface CompaniesTable {
  id: string;
  tenant_id: string;
  name: string;
  parent_company_id: string | null;
  created_at: Ts;
}

export interface UserCompaniesTable {
  tenant_id: string;
  user_id: string;
  company_id: string;
}

export interface FieldDefinitionsTable {
  id: string;
  tenant_id: string;
  key: string;
  label: string;
  type: string;
  required: boolean;
  options: Json<string[]>;
}

export interface SharesTable {
  id: string;
  user_id: string;
  home_tenant_id: string;
  target_tenant_id: string;
  status: string;
  expires_at: Ts | null;
  created_by: string;
  accepted_by: string | null;
  ended_by: string | null;
  created_at: Ts;
  accepted_at: Ts | null;
  ended_at: Ts | null;
  /** The role keys the importing tenant consented to; null until accepted. */
  accepted_roles: Json<string[]> | null;
}

export interface AuditEventsTable {
  tenant_id: string;
  seq: ColumnType<string, number, number>;
  at: Ts;
  actor_user_id: string | null;
  actor_tenant_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Json<Record<string, unknown>>;
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadsTable {
  tenant_id: string;
  seq: ColumnType<string, number, number>;
  hash: string;
}

export interface ImportJobsTable {
  id: string;
  tenant_id: string;
  status: string;
  mode: string;
  total: number;
  processed: number;
  created: number;
  updated: number;
  error: string | null;
  report: ColumnType<unknown, string | null, string | null> | null;
  created_by: string | null;
  created_at: Ts;
  finished_at: Ts | null;
}

export interface Database {
  import_jobs: ImportJobsTable;
  tenants: TenantsTable;
  users: UsersTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  companies: CompaniesTable;
  user_companies: UserCompaniesTable;
  field_definitions: FieldDefinitionsTable;
  shares: SharesTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  throttle_counters: ThrottleCountersTable;
  idempotency_keys: IdempotencyKeysTable;
  one_time_tokens: OneTimeTokensTable;
  outbox: OutboxTable;
  decision_version: DecisionVersionTable;
  sso_connections: SsoConnectionsTable;
  sso_enablements: SsoEnablementsTable;
  sso_links: SsoLinksTable;
  sso_flows: SsoFlowsTable;
  user_verified_emails: UserVerifiedEmailsTable;
  sso_sessions: SsoSessionsTable;
  scim_user_external_ids: ScimUserExternalIdsTable;
  scim_group_external_ids: ScimGroupExternalIdsTable;
  oidc_apps: OidcAppsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_keys: OidcKeysTable;
  instances: InstancesTable;
  system_jobs: SystemJobsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  tenant_security_policies: TenantSecurityPoliciesTable;
  user_factors: UserFactorsTable;
  user_recovery_codes: UserRecoveryCodesTable;
  webauthn_challenges: WebauthnChallengesTable;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  home_tenant_id: string;
  acting_tenant_id: string;
  created_at: Ts;
  last_seen_at: Ts;
  expires_at: Ts;
  revoked_at: Ts | null;
  /** How the session was authenticated (RFC 8176 values), and when (023). */
  amr: ColumnType<string[], string | undefined, string>;
  auth_time: Ts | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  home_tenant_id: string;
  acting_tenant_id: string;
  name: string;
  created_at: Ts;
  expires_at: Ts;
  last_used_at: Ts | null;
  revoked_at: Ts | null;
}

export interface ThrottleCountersTable {
  key: string;
  failures: number;
  window_start: Ts;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  body: string | null;
  created_at: Ts;
  /** Results of the request's committed transactions, journaled in those same commits (009). */
  applied_results: unknown[] | null;
}

/** Effects after commit, written inside the change's transaction (014). */
export interface OutboxTable {
  id: string;
  topic: string;
  payload: unknown;
  created_at: Ts;
  next_attempt_at: Ts;
  attempts: number;
  last_error: string | null;
  sent_at: Ts | null;
  given_up_at: Ts | null;
}

export interface OneTimeTokensTable {
  token_hash: string;
  purpose: string;
  user_id: string;
  tenant_id: string;
  created_at: Ts;
  expires_at: Ts;
  used_at: Ts | null;
}

export interface SsoConnectionsTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string | null;
  scopes: string[];
  id_token_algs: string[];
  claim_mapping: Json<Record<string, unknown>>;
  vouched_domains: string[];
  enabled: boolean;
  link_policy: string;
  jit_roles: string[];
  offered_to_subtree: boolean;
  version: Generated<number>;
  created_at: Ts;
  updated_at: Ts;
}

export interface SsoEnablementsTable {
  tenant_id: string;
  connection_id: string;
  created_at: Ts;
}

export interface SsoLinksTable {
  tenant_id: string;
  user_id: string;
  connection_id: string;
  issuer: string;
  subject: string;
  created_at: Ts;
  created_by: string;
}

export interface SsoFlowsTable {
  state_hash: string;
  browser_hash: string;
  connection_id: string;
  tenant_id: string;
  nonce: string;
  code_verifier: string;
  return_to: string | null;
  link_user_id: string | null;
  created_at: Ts;
  expires_at: Ts;
  used_at: Ts | null;
}

export interface UserVerifiedEmailsTable {
  tenant_id: string;
  user_id: string;
  email: string;
  verified_at: Ts;
}

export interface SsoSessionsTable {
  session_id_hash: string;
  connection_id: string;
  issuer: string;
  subject: string;
}

/** The decision version (migration 003): one row, raised by triggers on every relevant change. */
export interface DecisionVersionTable {
  id: number;
  version: ColumnType<string, number, number>;
}

/** SCIM external ids (migration 005): the provisioning client's id of a user or a company. */
export interface ScimUserExternalIdsTable {
  tenant_id: string;
  user_id: string;
  external_id: string;
}

export interface ScimGroupExternalIdsTable {
  tenant_id: string;
  company_id: string;
  external_id: string;
}

/** Apps registered with Kontor's OpenID Provider (018). */
export interface OidcAppsTable {
  id: string;
  tenant_id: string | null;
  name: string;
  kind: string;
  auth_method: string;
  secret_hash: string | null;
  jwks: unknown | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  scopes: string[];
  grant_types: string[];
  first_party: boolean;
  enabled: boolean;
  version: Generated<number>;
  created_by: string | null;
  created_at: Ts;
  updated_at: Ts;
}

/** oidc-provider's adapter records, every model in one table (018). */
export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: unknown;
  account_id: string | null;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Ts | null;
  consumed_at: Ts | null;
  /** The acting tenant of a Grant row (019); null for every other model. */
  tenant_id: string | null;
  /** Where the person came from when she acts through an SSO link (022); null otherwise. */
  home_tenant_id: string | null;
}

/** The OP's signing keys; the private half sealed (018). */
export interface OidcKeysTable {
  kid: string;
  alg: string;
  private_jwk_sealed: string;
  public_jwk: unknown;
  created_at: Ts;
  retired_at: Ts | null;
  publish_until: Ts | null;
}

/** One running server's heartbeat (021). */
export interface InstancesTable {
  id: string;
  started_at: Ts;
  last_seen_at: Ts;
  version: string;
  readiness: string;
}

/** When a background job last ran, on any instance, and its counts (021). */
export interface SystemJobsTable {
  name: string;
  last_run_at: Ts;
  result: ColumnType<unknown, string, string>;
}

export interface WebhookSubscriptionsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  event_types: string[] | null;
  scope: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_valid_until: Ts | null;
  state: string;
  version: Generated<number>;
  created_at: Ts;
  updated_at: Ts;
}

export interface WebhookDeliveriesTable {
  id: string;
  seq: Generated<string>;
  subscription_id: string;
  tenant_id: string;
  event_seq: ColumnType<string, number, number>;
  status: string;
  attempts: number;
  next_attempt_at: Ts;
  lease_until: Ts | null;
  first_attempt_at: Ts | null;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  delivered_at: Ts | null;
  created_at: Ts;
}

/** What a tenant sets of its security policy (023); unset keys inherit. */
export interface TenantSecurityPoliciesTable {
  tenant_id: string;
  settings: Json<Record<string, unknown>>;
  updated_at: Ts;
}

/** Second factors (023): a TOTP secret only sealed; `last_used_step` refuses replays. */
export interface UserFactorsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  kind: string;
  label: string;
  secret_sealed: string | null;
  last_used_step: ColumnType<string | number | null, number | null, number | null>;
  credential_id: ColumnType<string | null, string | null | undefined, string | null>;
  public_key: ColumnType<string | null, string | null | undefined, string | null>;
  sign_count: ColumnType<string | number | null, number | null | undefined, number | null>;
  transports: ColumnType<string[] | null, string | null | undefined, string | null>;
  created_at: Ts;
  confirmed_at: Ts | null;
  last_used_at: Ts | null;
}

export interface UserRecoveryCodesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  code_hash: string;
  created_at: Ts;
  used_at: Ts | null;
}

export interface WebauthnChallengesTable {
  challenge_hash: string;
  purpose: string;
  tenant_id: string;
  user_id: string | null;
  created_at: Ts;
  expires_at: Ts;
  used_at: Ts | null;
}
