import { randomUUID } from 'node:crypto';
import { createCompany, createField } from '../../../src/app/companies.js';
import { acceptShare, releaseShare } from '../../../src/app/shares.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import type { Client, HttpKit } from './http-kit.js';

export const ADMIN_ROLES = ['AdministrationAdvanced', 'AdministrationBasic', 'SalesAdvanced'];

/**
 * Reseller R (the caller's home) with consumer C1 below it, and a sibling reseller S with
 * its own child, users, company, field, share and API token: the ids R must never reach.
 */
export interface Scene {
  r: Tenant;
  c1: Tenant;
  admin: Client;
  clerk: Client;
  c1Primary: User;
  member: User;
  s: Tenant;
  sChild: Tenant;
  sUser: User;
  sShareId: string;
  sCompanyId: string;
  sFieldId: string;
  sTokenId: string;
}

export async function buildScene(h: HttpKit): Promise<Scene> {
  const { k } = h;
  const r = await k.aTenant(k.root, 'reseller');
  const c1 = await k.aTenant(r, 'consumer');
  const s = await k.aTenant(k.root, 'reseller');
  const sChild = await k.aTenant(s, 'consumer');
  const admin = await h.signedIn(r, ADMIN_ROLES, { type: 'primary' });
  const clerk = await h.signedIn(r, ['CustomerBasic']);
  const c1Primary = await k.aUserIn(c1, ['CustomerBasic'], { type: 'primary' });
  const member = await k.aUserIn(r, ['CustomerBasic']);
  const sAdmin = await h.signedIn(s, ADMIN_ROLES, { type: 'primary' });
  const sUser = await k.aUserIn(s, ['CustomerBasic']);
  const sCtx = await k.ctx(sAdmin.user);
  const { share } = await releaseShare(k.deps, sCtx, { userId: sUser.id, tenantId: sChild.id });
  const sChildAdmin = await k.aUserIn(sChild, ADMIN_ROLES, { type: 'primary' });
  await acceptShare(k.deps, await k.ctx(sChildAdmin), share.id);
  const company = await createCompany(k.deps, sCtx, { tenantId: s.id, name: 'S GmbH' });
  const field = await createField(k.deps, sCtx, {
    tenantId: s.id,
    key: 'cost_centre',
    label: 'Cost centre',
    type: 'text',
  });
  const token = await sAdmin.call('POST', '/api/v1/me/tokens', { name: 'sibling token' });
  if (token.statusCode !== 201) throw new Error(token.body);
  return {
    r,
    c1,
    admin,
    clerk,
    c1Primary,
    member,
    s,
    sChild,
    sUser,
    sShareId: share.id,
    sCompanyId: company.id,
    sFieldId: field.id,
    sTokenId: token.json().id,
  };
}

export const randomId = (): string => randomUUID();
