import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Tenant } from '../../../src/domain/tenant.js';
import { type Client, type HttpKit, httpKit } from '../http/http-kit.js';

export const ADMIN = ['AdministrationAdvanced', 'AdministrationBasic'];

export interface ScimKit {
  h: HttpKit;
  tenant: Tenant;
  /** The signed-in administrator who created the provisioning token. */
  admin: Client;
  token: string;
  /** A SCIM request for the tenant, as Entra sends it (application/scim+json, bearer token). */
  scim(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    opts?: { token?: string; slug?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** An API token for a new user of the tenant holding `roles`. */
  tokenFor(tenant: Tenant, roles: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function scimKit(): Promise<ScimKit> {
  const h = await httpKit();
  const tenant = await h.k.aTenant(h.k.root, 'reseller');
  const tokenOf = async (c: Client) => {
    const res = await c.call('POST', '/api/v1/me/tokens', { name: 'Entra ID provisioning' });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json().token as string;
  };
  const admin = await h.signedIn(tenant, ADMIN);
  const token = await tokenOf(admin);
  return {
    h,
    tenant,
    admin,
    token,
    scim: (method, path, body, opts = {}) =>
      h.app.inject({
        method,
        url: `/scim/v2/${opts.slug ?? tenant.slug}${path}`,
        headers: {
          authorization: `Bearer ${opts.token ?? token}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...opts.headers,
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      }),
    tokenFor: async (t, roles) => tokenOf(await h.signedIn(t, roles)),
    close: () => h.close(),
  };
}

/** Asserts a SCIM error (RFC 7644 §3.12) and returns its body. */
export function scimError(res: LightMyRequestResponse, status: number, scimType?: string): Record<string, unknown> {
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = res.json();
  expect({ http: res.statusCode, status: body.status, scimType: body.scimType }).toEqual({
    http: status,
    status: String(status),
    scimType,
  });
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  return body;
}

/** A SCIM answer's body, read ad hoc by the tests. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape; typing every resource adds nothing
export type ScimJson = Record<string, any>;

/** A body of a successful SCIM answer. */
export function scimOk(res: LightMyRequestResponse, status = 200): ScimJson {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  return res.json();
}
