import { readAppPermissions, readRolesFile } from '../src/config/catalogue-files.js';
import type { UserFacts } from '../src/domain/decision.js';
import { type Permission, PermissionCatalogue } from '../src/domain/permissions.js';
import type { Role } from '../src/domain/role.js';
import type { TenantKind, TenantStatus } from '../src/domain/tenant.js';

/** Small deterministic PRNG (mulberry32): the same seed gives the same scenario on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchTenant {
  id: string;
  kind: TenantKind;
  parentId: string | null;
  path: string;
  status: TenantStatus;
}

export interface Queries {
  users: string[];
  tenants: string[];
  permissions: string[];
}

export interface Scenario {
  catalogue: PermissionCatalogue;
  roles: Role[];
  tenants: BenchTenant[];
  users: UserFacts[];
  queries: Queries;
}

export interface ScenarioSize {
  resellers: number;
  consumers: number;
  users: number;
  queries: number;
}

export const STANDARD: ScenarioSize = { resellers: 50, consumers: 2000, users: 20_000, queries: 1_000_000 };

/** 19 app permissions on top of Kontor's 30 and the catalogue file's 11: 60 in all. */
const EXTRA: Permission[] = Array.from({ length: 19 }, (_, i) => ({
  key: `app.feature${String(i + 1).padStart(2, '0')}.use`,
  scope: 'tenant',
  description: 'Benchmark feature',
  source: 'app',
}));

const uuid = (rand: () => number): string => {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
};

function buildTenants(size: ScenarioSize, rand: () => number): BenchTenant[] {
  const root: BenchTenant = { id: uuid(rand), kind: 'provider', parentId: null, path: '', status: 'active' };
  root.path = `/${root.id}/`;
  const tenants = [root];
  const suppliers = [root];
  const depth = new Map([[root.id, 0]]);
  const child = (parent: BenchTenant, kind: TenantKind): BenchTenant => {
    const id = uuid(rand);
    // 1 % suspended, so the status rule is exercised
    const t: BenchTenant = {
      id,
      kind,
      parentId: parent.id,
      path: `${parent.path}${id}/`,
      status: rand() < 0.01 ? 'suspended' : 'active',
    };
    tenants.push(t);
    return t;
  };
  for (let i = 0; i < size.resellers; i++) {
    const candidates = suppliers.filter((s) => (depth.get(s.id) ?? 0) < 4); // resellers nested up to depth 4
    const parent = candidates[Math.floor(rand() * candidates.length)] as BenchTenant;
    const r = child(parent, 'reseller');
    depth.set(r.id, (depth.get(parent.id) ?? 0) + 1);
    suppliers.push(r);
  }
  for (let i = 0; i < size.consumers; i++)
    child(suppliers[Math.floor(rand() * suppliers.length)] as BenchTenant, 'consumer');
  return tenants;
}

export function generateScenario(size: ScenarioSize, seed = 7): Scenario {
  const rand = prng(seed);
  const catalogue = new PermissionCatalogue([...readAppPermissions('config/app-permissions.yaml'), ...EXTRA]);
  const roles = readRolesFile('config/roles.yaml').map((r, i) =>
    r.category === 'business'
      ? { ...r, permissions: [...r.permissions, ...EXTRA.filter((_, j) => j % 5 === i % 5).map((p) => p.key)] }
      : r,
  );
  const tenants = buildTenants(size, rand);
  const roleKeys = roles.map((r) => r.key);
  const users: UserFacts[] = [];
  for (let i = 0; i < size.users; i++) {
    const home = tenants[Math.floor(rand() * tenants.length)] as BenchTenant;
    const keys = new Set<string>();
    const n = 1 + Math.floor(rand() * 3);
    while (keys.size < n) keys.add(roleKeys[Math.floor(rand() * roleKeys.length)] as string);
    const shares: UserFacts['shares'][number][] = [];
    if (rand() < 0.05) {
      const m = 1 + Math.floor(rand() * 5);
      for (let j = 0; j < m; j++) {
        const target = tenants[Math.floor(rand() * tenants.length)] as BenchTenant;
        if (target.id === home.id || shares.some((s) => s.targetTenantId === target.id)) continue;
        shares.push({
          targetTenantId: target.id,
          targetStatus: target.status,
          status: 'active',
          expiresAt: null,
          acceptedRoles: [...keys],
        });
      }
    }
    users.push({
      userId: uuid(rand),
      homeTenantId: home.id,
      state: rand() < 0.02 ? 'locked' : 'active',
      homeKind: home.kind,
      homeStatus: home.status,
      roleKeys: [...keys],
      shares,
    });
  }
  return {
    catalogue,
    roles,
    tenants,
    users,
    queries: generateQueries(size.queries, tenants, users, roles, catalogue, rand),
  };
}

/**
 * Queries of which about half are allowed: half ask a tenant the user acts in for a permission
 * of one of its roles, half ask a random tenant and a random catalogue permission.
 */
function generateQueries(
  n: number,
  tenants: BenchTenant[],
  users: UserFacts[],
  roles: Role[],
  catalogue: PermissionCatalogue,
  rand: () => number,
): Queries {
  const byKey = new Map(roles.map((r) => [r.key, r]));
  const all = catalogue.list().map((p) => p.key);
  const q: Queries = { users: new Array(n), tenants: new Array(n), permissions: new Array(n) };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  for (let i = 0; i < n; i++) {
    const u = pick(users);
    q.users[i] = u.userId;
    if (rand() < 0.66) {
      q.tenants[i] = rand() < 0.9 || u.shares.length === 0 ? u.homeTenantId : pick(u.shares).targetTenantId;
      q.permissions[i] = pick(byKey.get(pick(u.roleKeys))?.permissions ?? all);
    } else {
      q.tenants[i] = pick(tenants).id;
      q.permissions[i] = pick(all);
    }
  }
  return q;
}
