import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atLeastAsStrict,
  combinePolicies,
  defaultPolicy,
  effectivePolicy,
  FACTOR_KINDS,
  MFA_REQUIREMENTS,
  type PolicySettings,
  valuesOf,
} from './security-policy.js';

const defaults = defaultPolicy({ sessionIdleSeconds: 3600, sessionAbsoluteSeconds: 86400 });

const settings: fc.Arbitrary<PolicySettings> = fc.record(
  {
    mfa: fc.constantFrom(...MFA_REQUIREMENTS),
    allowedFactors: fc.subarray([...FACTOR_KINDS], { minLength: 1 }),
    passwordsAllowed: fc.boolean(),
    ssoConnections: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1 }),
    minPasswordLength: fc.integer({ min: 15, max: 64 }),
    sessionIdleSeconds: fc.integer({ min: 60, max: 7200 }),
    sessionAbsoluteSeconds: fc.integer({ min: 300, max: 200000 }),
    stepUpSeconds: fc.integer({ min: 30, max: 3600 }),
  },
  { requiredKeys: [] },
);

/** A random tree: node i > 0 hangs below a node with a smaller index; each node has random settings. */
const forest = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(-1) : fc.nat(i - 1)))),
      fc.array(settings, { minLength: n, maxLength: n }),
    ),
  );

function pathOf(parents: number[], i: number): string[] {
  const path: string[] = [];
  for (let at = i; at >= 0; at = parents[at] ?? -1) path.unshift(`t${at}`);
  return path;
}

describe('effective security policy down the tree (issue 16 #4)', () => {
  it('never loosens below any ancestor’s, and is never looser than what the node itself set', () => {
    fc.assert(
      fc.property(forest, ([parents, all]) => {
        const map = new Map(all.map((s, i) => [`t${i}`, s]));
        for (let i = 0; i < all.length; i++) {
          const path = pathOf(parents, i);
          const own = valuesOf(effectivePolicy(path, map, defaults));
          for (let a = 1; a < path.length; a++) {
            const ancestor = valuesOf(effectivePolicy(path.slice(0, a), map, defaults));
            expect(atLeastAsStrict(own, ancestor)).toBe(true);
          }
          expect(atLeastAsStrict(own, defaults)).toBe(true);
          const set = all[i] ?? {};
          if (set.mfa)
            expect(MFA_REQUIREMENTS.indexOf(own.mfa)).toBeGreaterThanOrEqual(MFA_REQUIREMENTS.indexOf(set.mfa));
          if (set.minPasswordLength) expect(own.minPasswordLength).toBeGreaterThanOrEqual(set.minPasswordLength);
          if (set.sessionIdleSeconds) expect(own.sessionIdleSeconds).toBeLessThanOrEqual(set.sessionIdleSeconds);
          expect(own.allowedFactors.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('names as source only a tenant on the path, one that set that very setting', () => {
    fc.assert(
      fc.property(forest, ([parents, all]) => {
        const map = new Map(all.map((s, i) => [`t${i}`, s]));
        const i = all.length - 1;
        const path = pathOf(parents, i);
        const eff = effectivePolicy(path, map, defaults);
        for (const [key, v] of Object.entries(eff)) {
          if (v.source === null) continue;
          expect(path).toContain(v.source);
          expect(map.get(v.source)?.[key as keyof PolicySettings]).toBeDefined();
        }
      }),
    );
  });

  it('makes a shared user meet the stricter of home and target in every setting', () => {
    fc.assert(
      fc.property(settings, settings, (h, t) => {
        const home = effectivePolicy(['root', 'h'], new Map([['h', h]]), defaults);
        const target = effectivePolicy(['root', 't'], new Map([['t', t]]), defaults);
        const both = valuesOf(combinePolicies(home, target));
        const tv = valuesOf(target);
        expect(atLeastAsStrict(both, valuesOf(home))).toBe(true);
        expect(MFA_REQUIREMENTS.indexOf(both.mfa)).toBeGreaterThanOrEqual(MFA_REQUIREMENTS.indexOf(tv.mfa));
        expect(both.minPasswordLength).toBeGreaterThanOrEqual(tv.minPasswordLength);
        expect(both.sessionIdleSeconds).toBeLessThanOrEqual(tv.sessionIdleSeconds);
        expect(both.sessionAbsoluteSeconds).toBeLessThanOrEqual(tv.sessionAbsoluteSeconds);
        expect(both.stepUpSeconds).toBeLessThanOrEqual(tv.stepUpSeconds);
        if (!tv.passwordsAllowed) expect(both.passwordsAllowed).toBe(false);
        // Lists: narrowed to the overlap; disjoint lists keep the home's (never an empty set).
        const overlap = both.allowedFactors.filter((f) => tv.allowedFactors.includes(f));
        if (overlap.length > 0) expect(both.allowedFactors).toEqual(overlap);
      }),
    );
  });
});
