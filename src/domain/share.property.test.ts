import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rolesInImportingTenant } from './share.js';

const roleKey = fc.constantFrom('AdministrationAdvanced', 'AdministrationBasic', 'CustomerBasic', 'SalesAdvanced', 'X');
const roleSet = fc.uniqueArray(roleKey as fc.Arbitrary<string>);

describe('rolesInImportingTenant (decision 0007)', () => {
  it('never yields a role the importing tenant did not accept, nor one the user lacks at home', () => {
    fc.assert(
      fc.property(roleSet, fc.array(fc.option(roleSet, { nil: null }), { maxLength: 3 }), (home, accepted) => {
        const consented = new Set(accepted.flatMap((a) => a ?? []));
        const effective = rolesInImportingTenant(home, accepted);
        for (const r of effective) {
          expect(consented.has(r)).toBe(true);
          expect(home).toContain(r);
        }
        // Everything both held and accepted stays: the cap takes nothing else away.
        expect(effective.length).toBe(home.filter((r) => consented.has(r)).length);
      }),
    );
  });
});
