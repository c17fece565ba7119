import { assignRoles } from './assign-roles.js';
import { type AppDeps, type Ctx, NO_META, resolveActor } from './context.js';
import { createUser } from './create-user.js';
import { acceptShare, releaseShare } from './shares.js';
import { createChildTenant } from './tenants.js';

export interface DemoLogin {
  tenant: string;
  username: string;
  roles: string[];
}

/**
 * Seeds the MSP demo below the root: a reseller that is an MSP with two consumer customers and
 * a carrier, users with the default roles, and one MSP technician shared into a customer. Goes
 * through the use cases, so the demo obeys the same grant rules as everybody. Idempotent: does
 * nothing when the MSP exists.
 */
export async function seedDemo(
  deps: AppDeps,
  input: { rootAdminId: string; rootTenantId: string; password: string },
): Promise<DemoLogin[] | undefined> {
  if (await deps.store.read((r) => r.tenants.findBySlug('demo-msp'))) return undefined;
  const as = async (userId: string, homeTenantId: string, actingTenantId = homeTenantId): Promise<Ctx> => ({
    actor: await deps.store.read((r) =>
      resolveActor(r, deps.catalogue, { userId, homeTenantId, actingTenantId }, deps.clock.now()),
    ),
    meta: NO_META,
  });
  const root = await as(input.rootAdminId, input.rootTenantId);
  const pw = input.password;
  const msp = await createChildTenant(deps, root, {
    parentId: input.rootTenantId,
    kind: 'reseller',
    name: 'Demo MSP GmbH',
    slug: 'demo-msp',
    primaryUser: { loginName: 'owner', password: pw, roles: ['AdministrationBasic', 'SalesBasic', 'Marketing'] },
  });
  const owner = msp.primaryUser!;
  const ownerCtx = await as(owner.id, msp.tenant.id);
  const logins: DemoLogin[] = [{ tenant: 'demo-msp', username: 'owner', roles: owner.roles }];
  const tech = await createUser(deps, ownerCtx, {
    tenantId: msp.tenant.id,
    loginName: 'tech',
    password: pw,
    roles: ['CustomerAdvanced'],
  });
  logins.push({ tenant: 'demo-msp', username: 'tech', roles: tech.roles });
  const customers = [];
  for (const [slug, name] of [
    ['demo-bakery', 'Bäckerei Demo'],
    ['demo-dental', 'Zahnarztpraxis Demo'],
  ] as const) {
    const c = await createChildTenant(deps, ownerCtx, {
      parentId: msp.tenant.id,
      kind: 'consumer',
      name,
      slug,
      primaryUser: { loginName: 'chef', password: pw, roles: ['CustomerAdvanced'] },
    });
    customers.push(c);
    logins.push({ tenant: slug, username: 'chef', roles: c.primaryUser!.roles });
  }
  await createChildTenant(deps, ownerCtx, {
    parentId: msp.tenant.id,
    kind: 'carrier',
    name: 'Demo Logistik',
    slug: 'demo-carrier',
  });
  // The MSP shares its technician into the bakery; the bakery's primary user needs an
  // administration role to import it, granted by the MSP's owner who holds it (R4, R5).
  const bakery = customers[0]!;
  const bakeryRoles = await assignRoles(deps, ownerCtx, {
    userId: bakery.primaryUser!.id,
    roles: ['CustomerAdvanced', 'AdministrationBasic'],
  });
  logins[2] = { tenant: 'demo-bakery', username: 'chef', roles: bakeryRoles.roles };
  const { share } = await releaseShare(deps, ownerCtx, { userId: tech.user.id, tenantId: bakery.tenant.id });
  await acceptShare(deps, await as(bakery.primaryUser!.id, bakery.tenant.id), share.id);
  return logins;
}
