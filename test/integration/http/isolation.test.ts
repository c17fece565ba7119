import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpKit, httpKit } from './http-kit.js';
import { buildScene, randomId, type Scene } from './scene.js';

let h: HttpKit;
let sc: Scene;
beforeAll(async () => {
  h = await httpKit();
  sc = await buildScene(h);
});
afterAll(async () => h?.close());

type Probe = [
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: (id: string) => string,
  body?: (id: string) => unknown,
];

/** Every endpoint that takes an id, with the id in the path or the body. */
const probes = (): [string, Probe][] => {
  const s = sc;
  return [
    [s.s.id, ['GET', (id) => `/tenants/${id}`]],
    [s.sChild.id, ['GET', (id) => `/tenants/${id}`]],
    [s.s.id, ['PATCH', (id) => `/tenants/${id}`, () => ({ name: 'taken over' })]],
    [s.sChild.id, ['PATCH', (id) => `/tenants/${id}`, () => ({ status: 'suspended' })]],
    [s.sChild.id, ['DELETE', (id) => `/tenants/${id}`]],
    [s.sChild.id, ['POST', (id) => `/tenants/${id}/move`, () => ({ parentId: s.r.id })]],
    [s.s.id, ['POST', () => `/tenants/${s.c1.id}/move`, (id) => ({ parentId: id })]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/children`]],
    [s.s.id, ['POST', (id) => `/tenants/${id}/children`, () => ({ kind: 'consumer', name: 'x', slug: 'sweep-child' })]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/users`]],
    [s.sChild.id, ['POST', (id) => `/tenants/${id}/users`, () => ({ loginName: 'sweep', type: 'primary' })]],
    [s.sUser.id, ['GET', (id) => `/users/${id}`]],
    [s.sUser.id, ['PATCH', (id) => `/users/${id}`, () => ({ displayName: 'x' })]],
    [s.sUser.id, ['DELETE', (id) => `/users/${id}`]],
    [s.sUser.id, ['PUT', (id) => `/users/${id}/roles`, () => ({ roles: ['CustomerBasic'] })]],
    [s.sUser.id, ['POST', (id) => `/users/${id}/lock`]],
    [s.sUser.id, ['POST', (id) => `/users/${id}/unlock`]],
    [s.sUser.id, ['POST', (id) => `/users/${id}/password-reset`]],
    [s.sUser.id, ['POST', (id) => `/users/${id}/shares`, () => ({ tenantId: s.c1.id })]],
    [s.s.id, ['POST', () => `/users/${s.member.id}/shares`, (id) => ({ tenantId: id })]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/shares`]],
    [s.sShareId, ['POST', (id) => `/shares/${id}/accept`]],
    [s.sShareId, ['DELETE', (id) => `/shares/${id}`]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/audit`]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/advisories`]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/companies`]],
    [s.s.id, ['POST', (id) => `/tenants/${id}/companies`, () => ({ name: 'sweep' })]],
    [s.sCompanyId, ['DELETE', (id) => `/tenants/${s.r.id}/companies/${id}`]],
    [s.s.id, ['GET', (id) => `/tenants/${id}/fields`]],
    [s.s.id, ['POST', (id) => `/tenants/${id}/fields`, () => ({ key: 'sweep', label: 'Sweep', type: 'text' })]],
    [s.sFieldId, ['DELETE', (id) => `/tenants/${s.r.id}/fields/${id}`]],
    [s.sTokenId, ['DELETE', (id) => `/me/tokens/${id}`]],
    [s.s.id, ['PUT', () => '/me/acting-tenant', (id) => ({ tenantId: id })]],
  ];
};

const answer = (res: LightMyRequestResponse) => ({
  status: res.statusCode,
  type: res.headers['content-type'],
  body: res.body,
});

describe('tenant isolation sweep', () => {
  it('answers an id of a sibling tenant byte-identically to a random id, and changes nothing', async () => {
    const before = await h.k.counts();
    for (const [siblingId, [method, path, body]] of probes()) {
      const call = (id: string) => sc.admin.call(method, `/api/v1${path(id)}`, body?.(id));
      const sibling = answer(await call(siblingId));
      const random = answer(await call(randomId()));
      expect(sibling, `${method} ${path(':id')}`).toEqual(random);
      expect(sibling.status, `${method} ${path(':id')}`).toBe(404);
    }
    expect(await h.k.counts()).toEqual(before);
    const sUser = await h.k.deps.store.read((r) => r.users.findInTenant(sc.s.id, sc.sUser.id));
    expect(sUser).toMatchObject({ state: 'active', displayName: sc.sUser.displayName });
  });
});
