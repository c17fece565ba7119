import type { Clock } from '../domain/ports.js';
import { assignRoles } from './assign-roles.js';
import { createCompany, createField } from './companies.js';
import { type AppDeps, type Ctx, NO_META, resolveActor } from './context.js';
import { createUser } from './create-user.js';
import { setUserState, updateUser } from './manage-user.js';
import { acceptShare, releaseShare } from './shares.js';
import { createChildTenant } from './tenants.js';

export interface DemoLogin {
  tenant: string;
  username: string;
  roles: string[];
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * A clock that starts a day ago and moves a few minutes on at every reading, never past the real
 * time: the demo's activity log reads like a working day, not like one burst at start-up.
 */
function dayAgoClock(real: Clock): Clock {
  let t = real.now().getTime() - DAY_MS;
  return {
    now: () => {
      t = Math.min(t + 4 * 60_000, real.now().getTime());
      return new Date(t);
    },
  };
}

/**
 * Seeds a believable MSP story below the root: the reseller "Demo MSP GmbH" with three customers
 * and a carrier; named users with e-mail addresses; a technician shared into two customers; an
 * architects' office with two companies of its group and custom fields; and a day of activity
 * (role changes, a holiday lock and its end, profile edits). Everything goes through the use
 * cases, so the demo obeys the same grant rules as everybody (R4, R5, the rank rule).
 * Idempotent: does nothing when the MSP exists.
 *
 * No SSO connection: saving one fetches the issuer's discovery document, and a demo has no IdP.
 */
export async function seedDemo(
  realDeps: AppDeps,
  input: { rootAdminId: string; rootTenantId: string; password: string },
): Promise<DemoLogin[] | undefined> {
  if (await realDeps.store.read((r) => r.tenants.findBySlug('demo-msp'))) return undefined;
  const deps: AppDeps = { ...realDeps, clock: dayAgoClock(realDeps.clock) };
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
    primaryUser: {
      loginName: 'owner',
      displayName: 'Miriam Sommer',
      email: 'miriam.sommer@demo-msp.example',
      password: pw,
      // Both administration roles, so she may hand either on to her customers (R4).
      roles: ['AdministrationBasic', 'AdministrationAdvanced', 'SalesBasic', 'Marketing'],
    },
  });
  const owner = msp.primaryUser!;
  const ownerCtx = await as(owner.id, msp.tenant.id);
  const logins: DemoLogin[] = [{ tenant: 'demo-msp', username: 'owner', roles: owner.roles }];
  const tech = await createUser(deps, ownerCtx, {
    tenantId: msp.tenant.id,
    loginName: 'tech',
    displayName: 'Jonas Brandt',
    email: 'jonas.brandt@demo-msp.example',
    password: pw,
    roles: ['CustomerAdvanced'],
  });
  logins.push({ tenant: 'demo-msp', username: 'tech', roles: tech.roles });
  await createUser(deps, ownerCtx, {
    tenantId: msp.tenant.id,
    loginName: 'sales',
    displayName: 'Petra Kühn',
    email: 'petra.kuehn@demo-msp.example',
    password: pw,
    roles: ['SalesBasic'],
  });

  const customers = [];
  for (const [slug, name, chef, chefName] of [
    ['demo-bakery', 'Bäckerei Demo', 'anna.becker', 'Anna Becker'],
    ['demo-dental', 'Zahnarztpraxis Demo', 'dr.yilmaz', 'Dr. Emre Yılmaz'],
    ['demo-architects', 'Architekturbüro Demo', 'lea.hoffmann', 'Lea Hoffmann'],
  ] as const) {
    const c = await createChildTenant(deps, ownerCtx, {
      parentId: msp.tenant.id,
      kind: 'consumer',
      name,
      slug,
      primaryUser: {
        loginName: 'chef',
        displayName: chefName,
        email: `${chef}@${slug}.example`,
        password: pw,
        roles: ['CustomerAdvanced'],
      },
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
  const [bakery, dental, architects] = customers as [
    (typeof customers)[0],
    (typeof customers)[0],
    (typeof customers)[0],
  ];

  // The technician is shared into the bakery and the dental practice; each customer's primary
  // user needs an administration role to import him, granted by the MSP's owner who holds it.
  for (const [i, c] of [
    [2, bakery],
    [3, dental],
  ] as const) {
    const granted = await assignRoles(deps, ownerCtx, {
      userId: c.primaryUser!.id,
      roles: ['CustomerAdvanced', 'AdministrationBasic'],
    });
    logins[i] = { tenant: c.tenant.slug, username: 'chef', roles: granted.roles };
    const { share } = await releaseShare(deps, ownerCtx, { userId: tech.user.id, tenantId: c.tenant.id });
    await acceptShare(deps, await as(c.primaryUser!.id, c.tenant.id), share.id);
  }

  // The architects' office is a small corporate group: two companies, custom fields, staff.
  const archRoles = await assignRoles(deps, ownerCtx, {
    userId: architects.primaryUser!.id,
    roles: ['CustomerAdvanced', 'AdministrationAdvanced'],
  });
  logins[4] = { tenant: 'demo-architects', username: 'chef', roles: archRoles.roles };
  const archCtx = await as(architects.primaryUser!.id, architects.tenant.id);
  const tid = architects.tenant.id;
  const holding = await createCompany(deps, archCtx, { tenantId: tid, name: 'Hoffmann Architekten Holding' });
  const studio = await createCompany(deps, archCtx, {
    tenantId: tid,
    name: 'Hoffmann Planung GmbH',
    parentCompanyId: holding.id,
  });
  await createField(deps, archCtx, { tenantId: tid, key: 'cost_centre', label: 'Cost centre', type: 'text' });
  await createField(deps, archCtx, {
    tenantId: tid,
    key: 'office',
    label: 'Office',
    type: 'select',
    options: ['Köln', 'Düsseldorf'],
  });
  const staff = await createUser(deps, archCtx, {
    tenantId: tid,
    loginName: 'tom.weber',
    displayName: 'Tom Weber',
    email: 'tom.weber@demo-architects.example',
    password: pw,
    roles: ['CustomerBasic'],
    companyIds: [studio.id],
    customFields: { cost_centre: 'KST-4711', office: 'Köln' },
  });
  const trainee = await createUser(deps, archCtx, {
    tenantId: tid,
    loginName: 'sara.klein',
    displayName: 'Sara Klein',
    email: 'sara.klein@demo-architects.example',
    password: pw,
    roles: ['CustomerBasic'],
    companyIds: [studio.id],
    customFields: { cost_centre: 'KST-4712', office: 'Düsseldorf' },
  });
  logins.push({ tenant: 'demo-architects', username: 'tom.weber', roles: staff.roles });

  // The rest of the day: a promotion, a holiday lock and its end, a move to the holding.
  await assignRoles(deps, archCtx, { userId: staff.user.id, roles: ['CustomerAdvanced'] });
  logins[logins.length - 1] = { tenant: 'demo-architects', username: 'tom.weber', roles: ['CustomerAdvanced'] };
  await setUserState(deps, archCtx, { userId: trainee.user.id, state: 'locked', reason: 'On holiday' });
  await setUserState(deps, archCtx, { userId: trainee.user.id, state: 'active', reason: 'Back from holiday' });
  await updateUser(deps, archCtx, { userId: staff.user.id, companyIds: [holding.id, studio.id] });
  return logins;
}
