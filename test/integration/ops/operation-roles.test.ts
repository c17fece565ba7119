import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseShare } from '../../../src/app/shares.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type Client, type HttpKit, httpKit } from '../http/http-kit.js';

/**
 * R7 over the whole published contract: an operation-role user of the root provider reaches
 * every operations endpoint, and every endpoint that touches a tenant's data answers it
 * `grant.system_only` — including endpoints added after this test, which count as tenant data
 * unless listed below as self-service or system.
 */
let h: HttpKit;
let op: Client;
let token: string;
/** A child of the root (targets of move and delete) and a share offered to the root. */
let child: Tenant;
let shareId: string;
beforeAll(async () => {
  h = await httpKit();
  op = await h.signedIn(h.k.root, ['OperationAdvanced']);
  const minted = await op.call('POST', '/api/v1/me/tokens', { name: 'sweep' });
  token = minted.json().token;
  child = await h.k.aTenant(h.k.root, 'reseller');
  const childAdmin = await h.k.aUserIn(child, ['AdministrationAdvanced'], { type: 'primary' });
  const shared = await h.k.aUserIn(child, ['CustomerBasic']);
  const offered = await releaseShare(h.k.deps, await h.k.ctx(childAdmin), { userId: shared.id, tenantId: h.k.root.id });
  shareId = offered.share.id;
});
afterAll(async () => h?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: Schema;
  required?: string[];
  properties?: Record<string, Schema>;
}
interface Operation {
  method: Method;
  path: string;
  body?: Schema;
}

/** The operation roles' own endpoints: each must answer 2xx. */
const SYSTEM = new Set([
  'GET /api/v1/system/health',
  'GET /api/v1/system/status',
  'GET /api/v1/system/config',
  'POST /api/v1/system/purge',
  'POST /api/v1/system/audit-verify',
  'POST /api/v1/system/keys/rotate',
  // System events only (system.events.read), filtered in src/app/audit-log.ts.
  'GET /api/v1/tenants/{id}/audit',
  // The change feed reads as the activity log does (src/app/change-feed.ts).
  'GET /api/v1/tenants/{id}/events',
  'GET /api/v1/roles',
  'GET /api/v1/permissions',
]);

/** Not a tenant's data: signing in and out, the caller's own account, sign-up, SSO flows. */
// The OP's interaction API is the person's own app sign-in, bound to its browser (decision 0014).
const SELF = [/^\/api\/v1\/auth\//, /^\/api\/v1\/signup/, /^\/api\/v1\/me(\/|$)/, /^\/api\/v1\/oidc\/interactions\//];

async function operations(): Promise<Operation[]> {
  const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  };
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase() as Method;
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      out.push({ method: m, path, ...(body ? { body } : {}) });
    }
  }
  return out;
}

/** The smallest value the schema accepts: validation must not answer before authorization. */
function minimal(s: Schema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.[0]) return minimal(alt.find((a) => a.type !== 'null') ?? alt[0]);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return 'sweep@example.com';
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (s.format === 'uri') return 'https://sweep.example.com/cb';
      return 'sweep-value-long-enough-1'.padEnd(s.minLength ?? 0, 'x');
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => minimal(s.items ?? {}));
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, minimal(s.properties?.[k] ?? {})]));
    default:
      return {};
  }
}

/**
 * Bodies a use case accepts, where its own validation (which runs before authorization, see
 * STYLE.md) would refuse the schema's minimal value.
 */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/tenants/{id}/fields': { key: 'sweep_field', label: 'Sweep', type: 'text' },
  'POST /api/v1/tenants/{id}/apps': { name: 'Sweep app', redirectUris: ['https://app.example.com/cb'] },
  'POST /api/v1/tenants/{id}/webhooks': { url: 'https://hooks.example.com/in' },
  'POST /api/v1/tenants/{id}/users/import': { users: [{ loginName: 'swept' }] },
};

/** Real ids where they exist (a refusal must not be a mere not_found), fresh ones elsewhere. */
function fill(o: Operation): string {
  const { path } = o;
  // Move and delete act on a child of the acting tenant, not on the tenant itself.
  const onChild = (o.method === 'DELETE' && path === '/api/v1/tenants/{id}') || path.endsWith('/move');
  const id = path.startsWith('/api/v1/users/')
    ? h.k.rootAdmin.id
    : path.startsWith('/api/v1/shares/')
      ? shareId
      : onChild
        ? child.id
        : path.startsWith('/api/v1/tenants/')
          ? h.k.root.id
          : randomUUID();
  return path
    .replace('{id}', id)
    .replace('{userId}', h.k.rootAdmin.id)
    .replace(/\{[a-zA-Z]+\}/g, () => randomUUID());
}

const key = (o: Operation) => `${o.method} ${o.path}`;

describe('R7: an operation role over the whole OpenAPI document', () => {
  it('reaches every operations endpoint and gets grant.system_only on every tenant-data endpoint', async () => {
    const ops = await operations();
    expect(
      ops
        .filter((o) => SYSTEM.has(key(o)))
        .map(key)
        .sort(),
    ).toEqual([...SYSTEM].sort());
    const wrong: string[] = [];
    let tenantData = 0;
    for (const o of ops) {
      if (SELF.some((re) => re.test(o.path))) continue;
      const body = BODIES[key(o)] ?? (o.body ? minimal(o.body) : undefined);
      const res = await op.call(o.method, fill(o), body);
      if (SYSTEM.has(key(o))) {
        if (res.statusCode >= 300) wrong.push(`${key(o)}: ${res.statusCode} ${res.body.slice(0, 120)}`);
        continue;
      }
      tenantData++;
      const code = res.headers['content-type']?.toString().startsWith('application/problem+json')
        ? res.json().code
        : undefined;
      if (res.statusCode !== 403 || code !== 'grant.system_only') {
        wrong.push(`${key(o)}: ${res.statusCode} ${code ?? res.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(tenantData).toBeGreaterThan(40);
  });

  it('reads /metrics with its API token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
  });
});
