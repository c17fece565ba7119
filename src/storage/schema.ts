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
  decision_version: DecisionVersionTable;
  sso_connections: SsoConnectionsTable;
  sso_enablements: SsoEnablementsTable;
  sso_links: SsoLinksTable;
  sso_flows: SsoFlowsTable;
  user_verified_emails: UserVerifiedEmailsTable;
  sso_sessions: SsoSessionsTable;
  scim_user_external_ids: ScimUserExternalIdsTable;
  scim_group_external_ids: ScimGroupExternalIdsTable;
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
