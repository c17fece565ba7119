import { AppError } from './errors.js';
import { PASSWORD_MIN } from './password-length.js';

/**
 * The security policy of a tenant (issue 16 #4, docs/decisions/0018-mfa-and-policy.md). A tenant
 * stores only what it sets; every unset value is inherited. The effective policy is the strictest
 * value of each setting along the path from the root to the tenant, each with the tenant that set
 * it: a child tightens, never loosens. Pure: no I/O, the same input gives the same answer.
 */
export const MFA_REQUIREMENTS = ['none', 'administrators', 'everyone'] as const;
export type MfaRequirement = (typeof MFA_REQUIREMENTS)[number];
/** Second factors a policy can allow. Recovery codes are no factor of their own: they stand in for one. */
export const FACTOR_KINDS = ['totp', 'passkey'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

/** What one tenant sets; absent keys inherit. */
export interface PolicySettings {
  mfa?: MfaRequirement;
  allowedFactors?: FactorKind[];
  /** false: SSO only. */
  passwordsAllowed?: boolean;
  /** The SSO connections (ids) sign-in may use; absent: any the tenant reaches. */
  ssoConnections?: string[];
  minPasswordLength?: number;
  sessionIdleSeconds?: number;
  sessionAbsoluteSeconds?: number;
  stepUpSeconds?: number;
}

export type PolicyKey = keyof PolicySettings;
export const POLICY_KEYS: readonly PolicyKey[] = [
  'mfa',
  'allowedFactors',
  'passwordsAllowed',
  'ssoConnections',
  'minPasswordLength',
  'sessionIdleSeconds',
  'sessionAbsoluteSeconds',
  'stepUpSeconds',
];

/** A resolved value and the tenant that set it (null: the installation's default). */
export interface Sourced<T> {
  value: T;
  source: string | null;
}

export interface PolicyValues {
  mfa: MfaRequirement;
  allowedFactors: FactorKind[];
  passwordsAllowed: boolean;
  /** null: no restriction. */
  ssoConnections: string[] | null;
  minPasswordLength: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  stepUpSeconds: number;
}

export type EffectivePolicy = { [K in keyof PolicyValues]: Sourced<PolicyValues[K]> };

/** Bounds a tenant may set within; a session shorter than a minute or a step-up window of a day help nobody. */
export const POLICY_LIMITS = {
  minPasswordLength: { min: PASSWORD_MIN, max: 256 },
  sessionIdleSeconds: { min: 60, max: 30 * 86400 },
  sessionAbsoluteSeconds: { min: 300, max: 366 * 86400 },
  stepUpSeconds: { min: 30, max: 86400 },
} as const;

/** The installation's defaults: what the root inherits when it sets nothing. */
export function defaultPolicy(d: { sessionIdleSeconds: number; sessionAbsoluteSeconds: number }): PolicyValues {
  return {
    mfa: 'none',
    allowedFactors: [...FACTOR_KINDS],
    passwordsAllowed: true,
    ssoConnections: null,
    minPasswordLength: PASSWORD_MIN,
    sessionIdleSeconds: d.sessionIdleSeconds,
    sessionAbsoluteSeconds: d.sessionAbsoluteSeconds,
    stepUpSeconds: 300,
  };
}

const mfaRank = (m: MfaRequirement): number => MFA_REQUIREMENTS.indexOf(m);
const sortedFactors = (s: Iterable<FactorKind>): FactorKind[] => FACTOR_KINDS.filter((k) => [...s].includes(k));

/**
 * The stricter of two values of one setting, or undefined when `next` is not stricter than
 * `current` (then the earlier source stays). A narrowing to nothing — no factor, no connection
 * left — is refused by `checkTightening` at write time; should an ancestor tighten later so that
 * a descendant's own list no longer meets it, the ancestor's list stands (never an empty set that
 * would lock everybody out, and never wider than the ancestor's).
 */
function stricter<K extends keyof PolicyValues>(
  key: K,
  current: PolicyValues[K],
  next: PolicyValues[K],
): PolicyValues[K] | undefined {
  switch (key) {
    case 'mfa':
      return mfaRank(next as MfaRequirement) > mfaRank(current as MfaRequirement) ? next : undefined;
    case 'allowedFactors': {
      const cur = current as FactorKind[];
      const both = sortedFactors((next as FactorKind[]).filter((f) => cur.includes(f)));
      return both.length > 0 && both.length < cur.length ? (both as PolicyValues[K]) : undefined;
    }
    case 'passwordsAllowed':
      return current === true && next === false ? next : undefined;
    case 'ssoConnections': {
      const n = next as string[] | null;
      if (n === null) return undefined;
      const cur = current as string[] | null;
      const both = cur === null ? [...new Set(n)].sort() : [...new Set(n.filter((c) => cur.includes(c)))].sort();
      if (both.length === 0) return undefined;
      return cur !== null && both.length === cur.length ? undefined : (both as PolicyValues[K]);
    }
    case 'minPasswordLength':
      return (next as number) > (current as number) ? next : undefined;
    default:
      // Lifetimes and the step-up window: shorter is stricter.
      return (next as number) < (current as number) ? next : undefined;
  }
}

const sourced = (values: PolicyValues, source: string | null): EffectivePolicy =>
  Object.fromEntries(POLICY_KEYS.map((k) => [k, { value: values[k], source }])) as EffectivePolicy;

const ownValue = <K extends PolicyKey>(s: PolicySettings, k: K): PolicyValues[K] | undefined =>
  s[k] === undefined ? undefined : (s[k] as unknown as PolicyValues[K]);

/** Applies one tenant's own settings on top of an effective policy (the tightening step). */
export function tighten(base: EffectivePolicy, tenantId: string, own: PolicySettings): EffectivePolicy {
  const out = { ...base } as Record<PolicyKey, Sourced<unknown>>;
  for (const k of POLICY_KEYS) {
    const v = ownValue(own, k);
    if (v === undefined) continue;
    const s = stricter(k, base[k].value as never, v as never);
    if (s !== undefined) out[k] = { value: s, source: tenantId };
  }
  return out as EffectivePolicy;
}

/**
 * The effective policy of the last tenant of `path` (root first): the defaults, tightened by each
 * tenant's own settings in turn. A tenant missing from `settings` sets nothing.
 */
export function effectivePolicy(
  path: readonly string[],
  settings: ReadonlyMap<string, PolicySettings>,
  defaults: PolicyValues,
): EffectivePolicy {
  let p = sourced(defaults, null);
  for (const id of path) p = tighten(p, id, settings.get(id) ?? {});
  return p;
}

/**
 * What a shared user acting in `target` must meet (issue 16 #4): the stricter of its home's and
 * that tenant's effective policy, each value with the tenant that set it. Equal values keep the
 * home's source.
 */
export function combinePolicies(home: EffectivePolicy, target: EffectivePolicy): EffectivePolicy {
  const out = { ...home } as Record<PolicyKey, Sourced<unknown>>;
  for (const k of POLICY_KEYS) {
    const s = stricter(k, home[k].value as never, target[k].value as never);
    if (s !== undefined) out[k] = { value: s, source: target[k].source };
    // A list narrowed by both sides belongs to neither alone; the target's narrowing is the news.
  }
  return out as EffectivePolicy;
}

/** Plain values of an effective policy. */
export const valuesOf = (p: EffectivePolicy): PolicyValues =>
  Object.fromEntries(POLICY_KEYS.map((k) => [k, p[k].value])) as unknown as PolicyValues;

/** Whether the policy obliges this user to a second factor. */
export function mfaRequired(p: Pick<PolicyValues, 'mfa'>, isAdministrator: boolean): boolean {
  return p.mfa === 'everyone' || (p.mfa === 'administrators' && isAdministrator);
}

/** True when `a` is at least as strict as `b` in every setting. */
export function atLeastAsStrict(a: PolicyValues, b: PolicyValues): boolean {
  return POLICY_KEYS.every((k) => {
    const av = a[k] as never;
    const bv = b[k] as never;
    if (k === 'allowedFactors') return (av as FactorKind[]).every((f) => (bv as FactorKind[]).includes(f));
    if (k === 'ssoConnections') {
      const x = av as string[] | null;
      const y = bv as string[] | null;
      return y === null || x?.every((c) => y.includes(c)) === true;
    }
    return stricter(k, av, bv) === undefined;
  });
}

type FieldError = { field: string; code: string; message: string };

/** Validates the shape and bounds of settings a tenant wants to store; throws `validation.invalid`. */
export function validatePolicySettings(input: Record<string, unknown>): PolicySettings {
  const errors: FieldError[] = [];
  const out: PolicySettings = {};
  const fail = (field: string, message: string) => errors.push({ field, code: 'policy.invalid', message });
  for (const [k, v] of Object.entries(input)) {
    if (v === null || v === undefined) continue; // null: inherit
    if (k === 'mfa') {
      if (MFA_REQUIREMENTS.includes(v as MfaRequirement)) out.mfa = v as MfaRequirement;
      else fail(k, `One of ${MFA_REQUIREMENTS.join(', ')}`);
    } else if (k === 'allowedFactors') {
      if (Array.isArray(v) && v.length > 0 && v.every((f) => FACTOR_KINDS.includes(f as FactorKind))) {
        out.allowedFactors = sortedFactors(v as FactorKind[]);
      } else fail(k, `A non-empty list of ${FACTOR_KINDS.join(', ')}`);
    } else if (k === 'passwordsAllowed') {
      if (typeof v === 'boolean') out.passwordsAllowed = v;
      else fail(k, 'true or false');
    } else if (k === 'ssoConnections') {
      if (Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string' && c.length > 0)) {
        out.ssoConnections = [...new Set(v as string[])].sort();
      } else fail(k, 'A non-empty list of SSO connection ids');
    } else if (k in POLICY_LIMITS) {
      const lim = POLICY_LIMITS[k as keyof typeof POLICY_LIMITS];
      if (Number.isInteger(v) && (v as number) >= lim.min && (v as number) <= lim.max) {
        out[k as keyof typeof POLICY_LIMITS] = v as number;
      } else fail(k, `A whole number from ${lim.min} to ${lim.max}`);
    } else fail(k, 'Unknown setting');
  }
  if (errors.length > 0) throw new AppError('validation.invalid', 'The security policy is invalid', { errors });
  return out;
}

/**
 * Refuses settings that are looser than the parent's effective policy (a child tightens, never
 * loosens): `policy.looser_than_parent`, one entry per setting naming the parent's value and the
 * tenant that set it. The root has no parent and may set anything within the bounds.
 */
export function checkTightening(parent: EffectivePolicy | undefined, own: PolicySettings): void {
  if (!parent) return;
  const errors: FieldError[] = [];
  const looserThan: { field: string; parentValue: unknown; source: string | null }[] = [];
  for (const k of POLICY_KEYS) {
    const v = ownValue(own, k);
    if (v === undefined) continue;
    const p = parent[k];
    const looser =
      k === 'allowedFactors'
        ? (v as FactorKind[]).some((f) => !(p.value as FactorKind[]).includes(f))
        : k === 'ssoConnections'
          ? p.value !== null && (v as string[]).some((c) => !(p.value as string[]).includes(c))
          : stricter(k, v as never, p.value as never) !== undefined;
    if (looser) {
      errors.push({
        field: k,
        code: 'policy.looser_than_parent',
        message: `Looser than ${JSON.stringify(p.value)}, which ${p.source ? `tenant ${p.source}` : 'the installation'} sets`,
      });
      looserThan.push({ field: k, parentValue: p.value, source: p.source });
    }
  }
  if (errors.length > 0) {
    throw new AppError('policy.looser_than_parent', 'A tenant may tighten its parent’s policy, never loosen it', {
      errors,
      details: { parent: looserThan },
    });
  }
}
