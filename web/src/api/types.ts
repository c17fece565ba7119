import type { paths } from './schema';

// The API's shapes, taken from the generated OpenAPI types so a changed schema breaks the build.
export type Json<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends Record<S, { content: { 'application/json': infer B } }>
    ? B
    : never
  : never;

export type Me = Json<'/api/v1/me', 'get'>;
export type MeTenant = Me['tenants'][number];
export type Tenant = Json<'/api/v1/tenants/{id}', 'get'>;
export type UserView = Json<'/api/v1/users/{id}', 'get'>;
export type Role = Json<'/api/v1/roles', 'get'>['items'][number];
export type Permission = Json<'/api/v1/permissions', 'get'>['items'][number];
export type ShareItem = Json<'/api/v1/tenants/{id}/shares', 'get'>['items'][number];
export type AuditEvent = Json<'/api/v1/tenants/{id}/audit', 'get'>['items'][number];
export type Advisory = Json<'/api/v1/tenants/{id}/advisories', 'get'>['items'][number];
export type Company = Json<'/api/v1/tenants/{id}/companies', 'get'>['items'][number];
export type FieldDef = Json<'/api/v1/tenants/{id}/fields', 'get'>['items'][number];
export type SsoConnection = Json<'/api/v1/tenants/{id}/sso-connections', 'get'>['items'][number];
export type App = Json<'/api/v1/tenants/{id}/apps/{appId}', 'get'>;
export type ApiToken = Json<'/api/v1/me/tokens', 'get'>['items'][number];
export type Warning = { code: string; message: string };
export type SystemStatus = Json<'/api/v1/system/status', 'get'>;
export type ChainReport = Json<'/api/v1/system/audit-verify', 'post'>;
export type PurgeReport = Json<'/api/v1/system/purge', 'post'>;
