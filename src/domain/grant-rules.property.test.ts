import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from './access.js';
import { evaluateGrant, type GrantRequest } from './grant-rules.js';
import { isAdminRole, isOperationRole } from './role.js';
import {
  ADMIN_ROLE_KEYS,
  anActor,
  aTarget,
  ROLE_KEYS,
  ROLES,
  ROOT_ID,
  T,
  TENANTS,
  type TreeTenant,
} from './test-fixtures.js';

const RUNS = { numRuns: 1000 };

const tenantArb = fc.constantFrom(...TENANTS);
const childrenOf = (t: TreeTenant) => TENANTS.filter((c) => c.parentId === t.id);

/**
 * Requests over the fixture tree. The target's home is biased towards the actor's acting tenant
 * and its direct children so that allowed decisions and the R5 path are well covered; `next`
 * may repeat keys and now and then names an unknown role.
 */
const requestArb: fc.Arbitrary<GrantRequest> = fc
  .record({
    actorHome: tenantArb,
    acting: fc.option(tenantArb, { nil: undefined, freq: 3 }),
    actorRoles: fc.subarray([...ROLE_KEYS]),
    relation: fc.constantFrom('same', 'child', 'any'),
    pick: fc.nat(),
    anyTenant: tenantArb,
    type: fc.constantFrom('primary' as const, 'secondary' as const),
    shared: fc.boolean(),
    current: fc.subarray([...ROLE_KEYS]),
    next: fc.array(
      fc.oneof(
        { weight: 20, arbitrary: fc.constantFrom(...ROLE_KEYS) },
        { weight: 1, arbitrary: fc.constant('Ghost') },
      ),
      { maxLength: 8 },
    ),
  })
  .map((r) => {
    const acting = r.acting ?? r.actorHome;
    const actor = anActor({ home: r.actorHome, acting, roles: r.actorRoles, userId: 'actor' });
    const kids = childrenOf(acting);
    const home =
      r.relation === 'same'
        ? acting
        : r.relation === 'child' && kids.length > 0
          ? (kids[r.pick % kids.length] as TreeTenant)
          : r.anyTenant;
    const target = aTarget({
      home,
      type: r.type,
      // A share into the acting tenant exists only for users of other tenants.
      sharedIntoActingTenant: home.id !== acting.id && r.shared,
    });
    return { actor, target, rootTenantId: ROOT_ID, current: r.current, next: r.next, roles: ROLES };
  });

const setOf = (xs: readonly string[]) => new Set(xs);
const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('evaluateGrant properties', () => {
  it('generates both allowed and refused decisions, including the R5 path', () => {
    const decisions = fc.sample(requestArb, { numRuns: 2000, seed: 42 }).map((req) => ({
      req,
      d: evaluateGrant(req),
    }));
    expect(decisions.filter(({ d }) => d.allowed).length).toBeGreaterThan(50);
    expect(decisions.filter(({ d }) => !d.allowed).length).toBeGreaterThan(50);
    expect(
      decisions.filter(({ req, d }) => d.allowed && req.target.homeTenantId !== req.actor.actingTenantId).length,
    ).toBeGreaterThan(5);
  });

  it('decides the same way every time for the same request', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const first = evaluateGrant(req);
        const copy: GrantRequest = structuredClone(req);
        expect(evaluateGrant(copy)).toEqual(first);
        expect(evaluateGrant(req)).toEqual(first);
      }),
      RUNS,
    );
  });

  it('never adds an operation role to a user whose home is not the root provider', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const d = evaluateGrant(req);
        if (!d.allowed || req.target.homeTenantId === ROOT_ID) return;
        expect(d.added.filter((k) => isOperationRole(ROLES.get(k)))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never allows a delta with an administration role the actor does not hold', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const d = evaluateGrant(req);
        if (!d.allowed) return;
        const delta = [...d.added, ...d.removed].filter((k) => isAdminRole(ROLES.get(k)));
        for (const k of delta) expect(req.actor.roleKeys.has(k), k).toBe(true);
      }),
      RUNS,
    );
  });

  it('never allows a change to a user of another tenant except the primary user of a direct child for the sales function', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const d = evaluateGrant(req);
        const { actor, target } = req;
        if (!d.allowed || target.homeTenantId === actor.actingTenantId) return;
        expect(target.type).toBe('primary');
        expect(target.homeParentId).toBe(actor.actingTenantId);
        expect(actor.permissions.has('customers.primary.manage')).toBe(true);
      }),
      RUNS,
    );
  });

  it('reports as added and removed exactly the set differences of next and current', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        const d = evaluateGrant(req);
        if (!d.allowed) return;
        const cur = setOf(req.current);
        const nxt = setOf(req.next);
        expect(sorted(d.added)).toEqual(sorted([...nxt].filter((k) => !cur.has(k))));
        expect(sorted(d.removed)).toEqual(sorted([...cur].filter((k) => !nxt.has(k))));
        expect(new Set(d.added).size).toBe(d.added.length);
      }),
      RUNS,
    );
  });

  it('allows every change of a provider user by a provider administrator holding all administration roles', () => {
    const admin: Actor = anActor({ home: T.root, roles: [...ADMIN_ROLE_KEYS] });
    fc.assert(
      fc.property(
        fc.subarray([...ROLE_KEYS]),
        fc.array(fc.constantFrom(...ROLE_KEYS), { maxLength: 12 }),
        fc.constantFrom('primary' as const, 'secondary' as const),
        (current, next, type) => {
          const d = evaluateGrant({
            actor: admin,
            target: aTarget({ home: T.root, type }),
            rootTenantId: ROOT_ID,
            current,
            next,
            roles: ROLES,
          });
          expect(d.allowed).toBe(true);
          if (!d.allowed) return;
          expect(sorted(d.added)).toEqual(sorted(new Set(next.filter((k) => !current.includes(k)))));
          expect(sorted(d.removed)).toEqual(sorted(current.filter((k) => !next.includes(k))));
        },
      ),
      RUNS,
    );
  });
});
