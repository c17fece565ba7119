import type { KeyMaker, SigningAlg, SigningKey } from '../../domain/oidc.js';
import { SIGNING_ALGS } from '../../domain/oidc.js';
import type { SecretBox } from '../../domain/sso.js';
import { type AppDeps, audit, type Ctx } from '../context.js';

export interface SigningKeyDeps extends Pick<AppDeps, 'store' | 'clock'> {
  keys: KeyMaker;
  box: SecretBox;
}

async function newKey(deps: SigningKeyDeps, alg: SigningAlg, now: Date): Promise<SigningKey> {
  const k = await deps.keys.generate(alg);
  return {
    kid: k.kid,
    alg,
    privateJwkSealed: deps.box.seal(JSON.stringify(k.privateJwk)),
    publicJwk: k.publicJwk,
    createdAt: now,
    retiredAt: null,
    publishUntil: null,
  };
}

/**
 * On first start: an active ES256 and RS256 key each. Several instances may start at once: the
 * one-active-key constraint lets one insert win per algorithm, the others' keys are dropped.
 * The keys are made before the transaction (key generation is slow, a retry must not repeat it).
 */
export async function ensureSigningKeys(deps: SigningKeyDeps): Promise<void> {
  const now = deps.clock.now();
  const have = new Set(
    (await deps.store.read((r) => r.oidcKeys.published(now))).filter((k) => !k.retiredAt).map((k) => k.alg),
  );
  for (const alg of SIGNING_ALGS) {
    if (have.has(alg)) continue;
    const key = await newKey(deps, alg, now);
    await deps.store.read((r) => r.oidcKeys.insertActive(key));
  }
}

/**
 * `kontor keys rotate`: a new key per algorithm signs from now on; the old one is retired but
 * stays published for `overlapSeconds` (the longest lifetime of a token it signed), so every
 * token it signed still verifies until it expires and none after. Audited in the root tenant,
 * with the operation-role user who asked through the API as actor (`ctx`), or as the operator's
 * CLI (no ctx).
 */
export async function rotateSigningKeys(
  deps: SigningKeyDeps,
  overlapSeconds: number,
  ctx: Ctx | null = null,
): Promise<{ retired: string[]; added: string[]; publishUntil: Date }> {
  const now = deps.clock.now();
  const fresh = await Promise.all(SIGNING_ALGS.map((alg) => newKey(deps, alg, now)));
  const publishUntil = new Date(now.getTime() + overlapSeconds * 1000);
  return deps.store.transaction(async (r) => {
    const root = await r.tenants.findRoot();
    if (!root) throw new Error('Kontor is not initialised: run `kontor init` first');
    const retired: string[] = [];
    for (const key of fresh) {
      const old = await r.oidcKeys.retireActive(key.alg, now, publishUntil);
      if (old) retired.push(old);
      await r.oidcKeys.insertActive(key);
    }
    const added = fresh.map((k) => k.kid);
    await audit(r, ctx, now, {
      tenantId: root.id,
      action: 'oidc.key_rotated',
      targetType: 'oidc_key',
      targetId: null,
      details: { by: ctx ? 'api' : 'operator', retired, added, publishUntil: publishUntil.toISOString() },
    });
    return { retired, added, publishUntil };
  });
}
