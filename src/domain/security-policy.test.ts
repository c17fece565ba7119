import { describe, expect, it } from 'vitest';
import type { AppError } from './errors.js';
import {
  checkTightening,
  combinePolicies,
  defaultPolicy,
  effectivePolicy,
  mfaRequired,
  type PolicySettings,
  validatePolicySettings,
  valuesOf,
} from './security-policy.js';

const defaults = defaultPolicy({ sessionIdleSeconds: 3600, sessionAbsoluteSeconds: 86400 });
const tree = (s: Record<string, PolicySettings>) => new Map(Object.entries(s));

const codeOf = (fn: () => void): AppError | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e as AppError;
  }
};

describe('effectivePolicy', () => {
  it('is the installation default, sourced to nobody, when no tenant sets anything', () => {
    const p = effectivePolicy(['root', 'r', 'c'], tree({}), defaults);
    expect(valuesOf(p)).toEqual(defaults);
    expect(p.mfa.source).toBeNull();
  });

  it('takes the strictest value along the path and names the tenant that set it', () => {
    const p = effectivePolicy(
      ['root', 'r', 'c'],
      tree({
        root: { mfa: 'administrators', minPasswordLength: 16 },
        r: { mfa: 'everyone', sessionIdleSeconds: 900, minPasswordLength: 15 },
        c: { mfa: 'none', sessionIdleSeconds: 600, allowedFactors: ['passkey'] },
      }),
      defaults,
    );
    expect(p.mfa).toEqual({ value: 'everyone', source: 'r' });
    expect(p.minPasswordLength).toEqual({ value: 16, source: 'root' });
    expect(p.sessionIdleSeconds).toEqual({ value: 600, source: 'c' });
    expect(p.allowedFactors).toEqual({ value: ['passkey'], source: 'c' });
    expect(p.stepUpSeconds).toEqual({ value: 300, source: null });
  });

  it('keeps an ancestor’s factor list when a descendant’s own list no longer meets it', () => {
    const p = effectivePolicy(
      ['root', 'c'],
      tree({ root: { allowedFactors: ['passkey'] }, c: { allowedFactors: ['totp'] } }),
      defaults,
    );
    expect(p.allowedFactors).toEqual({ value: ['passkey'], source: 'root' });
  });

  it('narrows the allowed SSO connections to those every level names', () => {
    const p = effectivePolicy(
      ['root', 'r', 'c'],
      tree({ r: { passwordsAllowed: false, ssoConnections: ['a', 'b'] }, c: { ssoConnections: ['b', 'x'] } }),
      defaults,
    );
    expect(p.passwordsAllowed).toEqual({ value: false, source: 'r' });
    expect(p.ssoConnections).toEqual({ value: ['b'], source: 'c' });
  });
});

describe('checkTightening', () => {
  const parent = effectivePolicy(
    ['root'],
    tree({ root: { mfa: 'administrators', minPasswordLength: 20, allowedFactors: ['totp'] } }),
    defaults,
  );

  it('accepts settings that tighten or equal the parent', () => {
    expect(codeOf(() => checkTightening(parent, { mfa: 'everyone', minPasswordLength: 20 }))).toBeUndefined();
  });

  it('refuses each setting that loosens the parent, naming the parent’s value and source', () => {
    const e = codeOf(() =>
      checkTightening(parent, { mfa: 'none', minPasswordLength: 15, allowedFactors: ['passkey'] }),
    );
    expect(e?.code).toBe('policy.looser_than_parent');
    expect(e?.errors?.map((x) => x.field).sort()).toEqual(['allowedFactors', 'mfa', 'minPasswordLength']);
    expect(e?.details?.parent).toContainEqual({ field: 'mfa', parentValue: 'administrators', source: 'root' });
  });

  it('lets the root set anything within the bounds', () => {
    expect(codeOf(() => checkTightening(undefined, { mfa: 'none' }))).toBeUndefined();
  });
});

describe('validatePolicySettings', () => {
  it('refuses a minimum password length below 15 and unknown settings', () => {
    const e = codeOf(() => validatePolicySettings({ minPasswordLength: 12, colour: 'red' }));
    expect(e?.code).toBe('validation.invalid');
    expect(e?.errors?.map((x) => x.field).sort()).toEqual(['colour', 'minPasswordLength']);
  });

  it('treats null as inherit', () => {
    expect(validatePolicySettings({ mfa: null, stepUpSeconds: 120 })).toEqual({ stepUpSeconds: 120 });
  });
});

describe('combinePolicies and mfaRequired', () => {
  it('makes a shared user meet the stricter of home and target', () => {
    const home = effectivePolicy(
      ['root', 'h'],
      tree({ h: { mfa: 'administrators', sessionIdleSeconds: 600 } }),
      defaults,
    );
    const target = effectivePolicy(['root', 't'], tree({ t: { mfa: 'everyone', sessionIdleSeconds: 1200 } }), defaults);
    const both = combinePolicies(home, target);
    expect(both.mfa).toEqual({ value: 'everyone', source: 't' });
    expect(both.sessionIdleSeconds).toEqual({ value: 600, source: 'h' });
    expect(mfaRequired(valuesOf(both), false)).toBe(true);
    expect(mfaRequired({ mfa: 'administrators' }, false)).toBe(false);
    expect(mfaRequired({ mfa: 'administrators' }, true)).toBe(true);
  });
});
