import type { Kysely, Selectable } from 'kysely';
import type { OidcKeyRepo, SigningAlg, SigningKey } from '../../domain/oidc.js';
import type { Database, OidcKeysTable } from '../schema.js';

const toKey = (r: Selectable<OidcKeysTable>): SigningKey => ({
  kid: r.kid,
  alg: r.alg as SigningAlg,
  privateJwkSealed: r.private_jwk_sealed,
  publicJwk: r.public_jwk as Record<string, unknown>,
  createdAt: new Date(r.created_at),
  retiredAt: r.retired_at === null ? null : new Date(r.retired_at),
  publishUntil: r.publish_until === null ? null : new Date(r.publish_until),
});

export function oidcKeyRepo(db: Kysely<Database>): OidcKeyRepo {
  const published = (now: Date) =>
    db
      .selectFrom('oidc_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('publish_until', '>', now)]))
      .orderBy((eb) => eb.case().when('retired_at', 'is', null).then(0).else(1).end())
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
  return {
    async published(now) {
      return (await published(now)).map(toKey);
    },
    async insertActive(k) {
      // The partial unique index (019) keeps one active key per algorithm.
      const r = await db
        .insertInto('oidc_keys')
        .values({
          kid: k.kid,
          alg: k.alg,
          private_jwk_sealed: k.privateJwkSealed,
          public_jwk: JSON.stringify(k.publicJwk),
          created_at: k.createdAt,
          retired_at: null,
          publish_until: null,
        })
        .onConflict((oc) => oc.column('alg').where('retired_at', 'is', null).doNothing())
        .returning('kid')
        .executeTakeFirst();
      return r !== undefined;
    },
    async retireActive(alg, now, publishUntil) {
      const r = await db
        .updateTable('oidc_keys')
        .set({ retired_at: now, publish_until: publishUntil })
        .where('alg', '=', alg)
        .where('retired_at', 'is', null)
        .returning('kid')
        .executeTakeFirst();
      return r?.kid;
    },
    async fingerprint(now) {
      return (await published(now)).map((r) => `${r.kid}:${r.retired_at === null ? 'a' : 'r'}`).join(',');
    },
  };
}
