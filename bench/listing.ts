import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { resolveActor } from '../src/app/context.js';
import { listSubtree } from '../src/app/tenants.js';
import { listUsers } from '../src/app/user-queries.js';
import { createKontor, type Kontor } from '../src/compose.js';
import { loadConfig } from '../src/config/load-config.js';
import { dropSchema } from '../src/storage/db.js';

export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

export interface ListingResult {
  tenants: number;
  users: number;
  bigTenantUsers: number;
  seedSeconds: number;
  usersPage: Latency;
  usersPageDeep: Latency;
  nameSearch: Latency;
  nameSearchRare: Latency;
  subtreeRoot: Latency;
  subtreeRootDeep: Latency;
}

export const LISTING_SIZES = {
  full: { tenants: 100_000, users: 1_000_000, bigTenantUsers: 100_000, samples: 300 },
  quick: { tenants: 10_000, users: 100_000, bigTenantUsers: 20_000, samples: 60 },
};

/** First names the seeded display names are made of; the searches look for them. */
const WORDS = ['anna', 'bernd', 'clara', 'dieter', 'emma', 'felix', 'greta', 'hans', 'ida', 'jonas'];

const ms = (x: number) => Math.round(x * 100) / 100;

async function measure(samples: number, fn: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < Math.min(10, samples); i++) await fn(i); // warm the plan and the cache
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: ms(at(0.5)), p99: ms(at(0.99)), samples };
}

/**
 * Writes the tree and the users with set-based SQL (this arranges a scene; it is not a path
 * under test): the root, 1 % resellers below it, consumers below those; one consumer holds
 * `bigTenantUsers`, the rest of the users spread evenly. Triggers are off while seeding
 * (`session_replication_role`), then everything is analysed.
 */
async function seed(k: Kontor, size: (typeof LISTING_SIZES)['full']): Promise<{ rootId: string; bigId: string }> {
  const db = k.db.kysely;
  const rootId = randomUUID();
  const bigId = randomUUID();
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await sql`SET statement_timeout = 0`.execute(c);
    await sql`
      INSERT INTO tenants (id, kind, parent_id, parent_kind, path, depth, name, slug, status, created_at, updated_at)
      VALUES (${rootId}, 'provider', NULL, NULL, ${`/${rootId}/`}, 0, 'Provider', 'provider', 'active', now(), now())`.execute(
      c,
    );
    const resellers = Math.max(1, Math.floor(size.tenants / 100));
    await sql`
      INSERT INTO tenants (id, kind, parent_id, parent_kind, path, depth, name, slug, status, created_at, updated_at)
      SELECT id, 'reseller', ${rootId}, 'provider', ${`/${rootId}/`} || id || '/', 1, 'Reseller ' || n, 'reseller-' || n,
        'active', now(), now()
      FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, ${resellers}) n) s`.execute(c);
    await sql`
      INSERT INTO tenants (id, kind, parent_id, parent_kind, path, depth, name, slug, status, created_at, updated_at)
      VALUES (${bigId}, 'consumer', (SELECT id FROM tenants WHERE slug = 'reseller-1'), 'reseller',
        (SELECT path FROM tenants WHERE slug = 'reseller-1') || ${bigId} || '/', 2, 'Big consumer', 'big-consumer',
        'active', now(), now())`.execute(c);
    await sql`
      INSERT INTO tenants (id, kind, parent_id, parent_kind, path, depth, name, slug, status, created_at, updated_at)
      SELECT s.id, 'consumer', r.id, 'reseller', r.path || s.id || '/', 2, 'Consumer ' || s.n, 'consumer-' || s.n,
        'active', now(), now()
      FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, ${size.tenants - resellers - 2}) n) s
      JOIN tenants r ON r.slug = 'reseller-' || (1 + s.n % ${resellers})`.execute(c);
    const name = (n: string) =>
      sql.raw(
        `(ARRAY['${WORDS.join("','")}'])[1 + (${n} % 10)] || ' ' || (ARRAY['${WORDS.join("','")}'])[1 + (${n} / 10 % 10)] || ' ' || ${n}`,
      );
    await sql`
      INSERT INTO users (id, tenant_id, login_name, email, display_name, type, state, must_change_password,
        created_at, updated_at)
      SELECT gen_random_uuid(), ${bigId}, 'user-' || n, 'user-' || n || '@big.example', ${name('n')},
        'secondary', 'active', false, now(), now()
      FROM generate_series(1, ${size.bigTenantUsers}) n`.execute(c);
    await sql`
      INSERT INTO users (id, tenant_id, login_name, email, display_name, type, state, must_change_password,
        created_at, updated_at)
      SELECT gen_random_uuid(), t.id, 'user-' || n, NULL, ${name('n')}, 'secondary', 'active', false, now(), now()
      FROM generate_series(1, ${size.users - size.bigTenantUsers}) n
      JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM tenants WHERE id <> ${bigId}) t
        ON t.i = n % ${size.tenants - 1}`.execute(c);
    await sql`SET session_replication_role = DEFAULT`.execute(c);
  });
  await db.connection().execute(async (c) => {
    await sql`SET statement_timeout = 0`.execute(c);
    await sql`ANALYZE`.execute(c);
  });
  return { rootId, bigId };
}

/**
 * Listing latency at scale on PostgreSQL (issue 7): a users page (50) in a tenant of 100,000
 * users, a name search there, and a subtree page (100) at the root of 100,000 tenants. Measured
 * through the use cases (permission check, query, mapping), without HTTP, one call at a time.
 */
export async function runListing(opts: { quick: boolean; log: (m: string) => void }): Promise<ListingResult | null> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    opts.log('listing: skipped (needs DATABASE_URL: it measures PostgreSQL at 1,000,000 users)');
    return null;
  }
  const size = opts.quick ? LISTING_SIZES.quick : LISTING_SIZES.full;
  const schema = `bench_list_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const config = loadConfig({ KONTOR_DATA_DIR: 'memory://', DATABASE_URL: url, KONTOR_DB_SCHEMA: schema });
  const k = await createKontor({ ...config, dataDir: 'memory://' });
  try {
    opts.log(`listing: seeding ${size.tenants.toLocaleString()} tenants, ${size.users.toLocaleString()} users …`);
    const t0 = performance.now();
    const { rootId, bigId } = await seed(k, size);
    const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const admin = async (tenantId: string, roles: string[]) => {
      const id = randomUUID();
      await sql`
        INSERT INTO users (id, tenant_id, login_name, display_name, type, state, created_at, updated_at)
        VALUES (${id}, ${tenantId}, ${`bench-${id.slice(0, 8)}`}, 'Bench', 'secondary', 'active', now(), now())`.execute(
        k.db.kysely,
      );
      await k.deps.store.transaction((r) => r.roles.setUserRoles(tenantId, id, roles, null, new Date()));
      const actor = await k.deps.store.read((r) =>
        resolveActor(r, k.deps.catalogue, { userId: id, homeTenantId: tenantId, actingTenantId: tenantId }, new Date()),
      );
      return { actor, meta: { ip: null, requestId: null } };
    };
    const bigCtx = await admin(bigId, ['AdministrationBasic']);
    const rootCtx = await admin(rootId, ['SalesBasic']);
    const { deps } = k;
    const n = size.samples;
    // Cursors spread over the whole tenant: the page after user-<m> (logins sort as text).
    const cursorAt = (i: number) =>
      Buffer.from(
        JSON.stringify([`user-${1 + ((i * 7919) % size.bigTenantUsers)}`, '00000000-0000-0000-0000-000000000000']),
      ).toString('base64url');
    opts.log('listing: measuring …');
    const usersPage = await measure(n, () => listUsers(deps, bigCtx, { tenantId: bigId, limit: 50 }));
    const usersPageDeep = await measure(n, (i) =>
      listUsers(deps, bigCtx, { tenantId: bigId, limit: 50, cursor: cursorAt(i) }),
    );
    const nameSearch = await measure(n, (i) =>
      listUsers(deps, bigCtx, { tenantId: bigId, limit: 50, q: WORDS[i % 10] as string }),
    );
    const nameSearchRare = await measure(n, (i) =>
      listUsers(deps, bigCtx, {
        tenantId: bigId,
        limit: 50,
        q: `${WORDS[i % 10]} ${WORDS[(i * 3) % 10]} ${1 + ((i * 7919) % size.bigTenantUsers)}`,
      }),
    );
    const subtreeRoot = await measure(n, () => listSubtree(deps, rootCtx, rootId, { limit: 100 }));
    const ids = (
      await sql<{ id: string }>`SELECT id FROM tenants ORDER BY random() LIMIT ${n}`.execute(k.db.kysely)
    ).rows.map((r) => r.id);
    const subtreeRootDeep = await measure(n, (i) =>
      listSubtree(deps, rootCtx, rootId, {
        limit: 100,
        cursor: ids[i % ids.length] === rootId ? undefined : ids[i % ids.length],
      }),
    );
    return {
      tenants: size.tenants,
      users: size.users,
      bigTenantUsers: size.bigTenantUsers,
      seedSeconds,
      usersPage,
      usersPageDeep,
      nameSearch,
      nameSearchRare,
      subtreeRoot,
      subtreeRootDeep,
    };
  } finally {
    await k.close();
    if (process.env.KONTOR_BENCH_KEEP) opts.log(`listing: kept schema ${schema}`);
    else await dropSchema(url, schema);
  }
}
