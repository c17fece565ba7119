import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/app/assign-roles.js';
import { verifyAudit } from '../../../src/app/audit-log.js';
import type { Ctx } from '../../../src/app/context.js';
import { createUser } from '../../../src/app/create-user.js';
import { setUserState } from '../../../src/app/manage-user.js';
import { acceptShare, endShare, releaseShare } from '../../../src/app/shares.js';
import { createChildTenant, moveTenant } from '../../../src/app/tenants.js';
import { isAppError } from '../../../src/domain/errors.js';
import type { Tenant } from '../../../src/domain/tenant.js';
import type { User } from '../../../src/domain/user.js';
import { sha256 } from '../../../src/storage/sha256.js';
import { type TestKontor, testKontor } from '../../fixtures/kontor.js';

const ROLES = [
  'AdministrationBasic',
  'AdministrationAdvanced',
  'OperationBasic',
  'OperationAdvanced',
  'CustomerBasic',
  'CustomerAdvanced',
  'Marketing',
  'SalesBasic',
  'SalesAdvanced',
];
const ADMIN = new Set(['AdministrationBasic', 'AdministrationAdvanced']);

type Op =
  | { kind: 'assign'; actor: number; target: number; roles: string[] }
  | { kind: 'createUser'; actor: number; tenant: number; roles: string[]; primary: boolean }
  | { kind: 'createChild'; actor: number; childKind: 'reseller' | 'consumer' | 'carrier' }
  | { kind: 'share'; actor: number; target: number; tenant: number }
  | { kind: 'accept'; actor: number; share: number }
  | { kind: 'end'; actor: number; share: number }
  | { kind: 'move'; actor: number; tenant: number; parent: number }
  | { kind: 'lock'; actor: number; target: number };

const idx = fc.nat({ max: 40 });
const roleSet = fc.subarray(ROLES, { maxLength: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), actor: idx, target: idx, roles: roleSet }),
  fc.record({
    kind: fc.constant('createUser' as const),
    actor: idx,
    tenant: idx,
    roles: roleSet,
    primary: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('createChild' as const),
    actor: idx,
    childKind: fc.constantFrom('reseller' as const, 'consumer' as const, 'carrier' as const),
  }),
  fc.record({ kind: fc.constant('share' as const), actor: idx, target: idx, tenant: idx }),
  fc.record({ kind: fc.constant('accept' as const), actor: idx, share: idx }),
  fc.record({ kind: fc.constant('end' as const), actor: idx, share: idx }),
  fc.record({ kind: fc.constant('move' as const), actor: idx, tenant: idx, parent: idx }),
  fc.record({ kind: fc.constant('lock' as const), actor: idx, target: idx }),
);

let k: TestKontor;
beforeAll(async () => {
  k = await testKontor();
});
afterAll(async () => k?.close());

/** A fingerprint of all state a refused operation must leave untouched. */
async function snapshot(): Promise<string> {
  const db = k.db.kysely;
  const parts = await Promise.all([
    sql`SELECT id, parent_id, path, status, version FROM tenants ORDER BY id`.execute(db),
    sql`SELECT id, tenant_id, type, state, version FROM users ORDER BY id`.execute(db),
    sql`SELECT user_id, role_key FROM user_roles ORDER BY user_id, role_key`.execute(db),
    sql`SELECT id, status FROM shares ORDER BY id`.execute(db),
    sql`SELECT count(*) FROM audit_events`.execute(db),
  ]);
  return JSON.stringify(parts.map((p) => p.rows));
}

async function assertInvariants(rootId: string): Promise<void> {
  const db = k.db.kysely;
  const twoPrimaries =
    await sql`SELECT tenant_id FROM users WHERE type = 'primary' GROUP BY tenant_id HAVING count(*) > 1`.execute(db);
  expect(twoPrimaries.rows).toEqual([]);
  const opOutside = await sql`SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.key = ur.role_key
    WHERE r.category = 'operation' AND ur.tenant_id <> ${rootId}`.execute(db);
  expect(opOutside.rows).toEqual([]);
  const badTree = await sql`SELECT c.id FROM tenants c JOIN tenants p ON p.id = c.parent_id
    WHERE p.kind NOT IN ('provider','reseller') OR c.path <> p.path || c.id::text || '/' OR c.depth <> p.depth + 1`.execute(
    db,
  );
  expect(badTree.rows).toEqual([]);
  const tenants = await sql<{ id: string }>`SELECT DISTINCT tenant_id AS id FROM audit_events`.execute(db);
  for (const t of tenants.rows) {
    const report = await k.deps.store.read((r) => verifyAudit(r, t.id, sha256));
    expect(report.problems).toEqual([]);
  }
}

describe('invariants under random operations (fast-check)', () => {
  it('keep holding after every step, and refused operations change nothing', async () => {
    const root = k.root;
    const reseller = await k.aTenant(root, 'reseller');
    const consumer = await k.aTenant(reseller, 'consumer');
    const tenants: Tenant[] = [root, reseller, consumer];
    const users: User[] = [
      k.rootAdmin,
      await k.aUserIn(root, ['SalesAdvanced']),
      await k.aUserIn(root, ['OperationBasic']),
      await k.aUserIn(reseller, ['AdministrationBasic', 'SalesBasic'], { type: 'primary' }),
      await k.aUserIn(reseller, ['AdministrationAdvanced']),
      await k.aUserIn(reseller, ['CustomerBasic']),
      await k.aUserIn(consumer, ['AdministrationBasic'], { type: 'primary' }),
      await k.aUserIn(consumer, []),
    ];
    const shares: string[] = [];
    let n = 0;
    const pick = <T>(list: T[], i: number): T => list[i % list.length] as T;

    async function actorCtx(i: number): Promise<{ ctx: Ctx; user: User } | undefined> {
      const user = pick(users, i);
      // Act either at home or, on odd picks, through an imported share.
      const effective = await k.deps.store.read((r) => r.shares.effectiveForUser(user.id, new Date()));
      const acting = i % 2 === 1 && effective.length > 0 ? pick(effective, i).targetTenantId : user.tenantId;
      try {
        return { ctx: await k.ctx(user, acting), user };
      } catch {
        return undefined; // locked, or its tenant gone: it cannot act
      }
    }

    async function run(op: Op): Promise<void> {
      const a = await actorCtx(op.actor);
      if (!a) return;
      const { ctx } = a;
      switch (op.kind) {
        case 'assign': {
          const target = pick(users, op.target);
          const before = await k.deps.store.read((r) => r.roles.userRoles(target.tenantId, target.id));
          const res = await assignRoles(k.deps, ctx, { userId: target.id, roles: op.roles });
          // R4 in effect: every administration role that changed is held by the actor.
          const delta = [...res.added, ...res.removed].filter((r) => ADMIN.has(r));
          for (const r of delta) expect(ctx.actor.roleKeys.has(r)).toBe(true);
          // R1/R5/R6 in effect: changed only from home, or by the parent for a primary user.
          const home = await k.deps.store.read((r) => r.tenants.findById(target.tenantId));
          const fromHome = target.tenantId === ctx.actor.actingTenantId;
          const r5 = target.type === 'primary' && home?.parentId === ctx.actor.actingTenantId;
          if (res.added.length + res.removed.length > 0) expect(fromHome || r5).toBe(true);
          expect(before).toBeDefined();
          return;
        }
        case 'createUser': {
          const t = pick(tenants, op.tenant);
          const res = await createUser(k.deps, ctx, {
            tenantId: t.id,
            loginName: `gen${++n}`,
            type: op.primary ? 'primary' : 'secondary',
            roles: op.roles,
          });
          users.push(res.user);
          return;
        }
        case 'createChild': {
          const res = await createChildTenant(k.deps, ctx, {
            parentId: ctx.actor.actingTenantId,
            kind: op.childKind,
            name: `Gen ${++n}`,
            slug: `gen-${n}-${Date.now().toString(36)}`,
          });
          tenants.push(res.tenant);
          return;
        }
        case 'share': {
          const res = await releaseShare(k.deps, ctx, {
            userId: pick(users, op.target).id,
            tenantId: pick(tenants, op.tenant).id,
          });
          shares.push(res.share.id);
          return;
        }
        case 'accept':
          if (shares.length > 0) await acceptShare(k.deps, ctx, pick(shares, op.share));
          return;
        case 'end':
          if (shares.length > 0) await endShare(k.deps, ctx, pick(shares, op.share));
          return;
        case 'move':
          await moveTenant(k.deps, ctx, {
            tenantId: pick(tenants, op.tenant).id,
            newParentId: pick(tenants, op.parent).id,
          });
          return;
        case 'lock':
          await setUserState(k.deps, ctx, { userId: pick(users, op.target).id, state: 'locked' });
          return;
      }
    }

    let refused = 0;
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 16 }), async (ops) => {
        for (const op of ops) {
          const before = await snapshot();
          try {
            await run(op);
            allowed++;
          } catch (e) {
            if (!isAppError(e)) throw e; // only typed refusals are acceptable
            refused++;
            expect(await snapshot()).toBe(before);
          }
          await assertInvariants(root.id);
        }
      }),
      { numRuns: 30 },
    );
    // The generator must exercise both outcomes, or the property proves little.
    expect(allowed).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });
});
