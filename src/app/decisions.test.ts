import { describe, expect, it } from 'vitest';
import type { UserFacts } from '../domain/decision.js';
import type { DecisionSource } from '../domain/decision-source.js';
import { PermissionCatalogue } from '../domain/permissions.js';
import type { Role } from '../domain/role.js';
import { BoundedCache } from './bounded-cache.js';
import { DecisionEngine } from './decisions.js';

const roles: Role[] = [
  { key: 'Reader', name: 'Reader', category: 'business', description: '', permissions: ['users.read'] },
];

/** An in-memory source that counts its reads, with a version the test raises by hand. */
function fakeSource() {
  const state = {
    version: 1,
    versionReads: 0,
    userReads: 0,
    locked: false,
    gate: undefined as Promise<void> | undefined,
  };
  const facts = (): UserFacts => ({
    userId: 'u1',
    homeTenantId: 't1',
    state: state.locked ? 'locked' : 'active',
    homeKind: 'reseller',
    homeStatus: 'active',
    roleKeys: ['Reader'],
    shares: [],
  });
  const source: DecisionSource = {
    version: async () => {
      state.versionReads++;
      return state.version;
    },
    roles: async () => roles,
    userFacts: async (id) => {
      const read = id === 'u1' ? facts() : undefined; // the facts as of the moment of reading
      state.userReads++;
      if (state.gate) await state.gate;
      return read;
    },
    tenantPlace: async () => undefined,
  };
  return { state, engine: new DecisionEngine(source, new PermissionCatalogue(), { now: () => new Date() }) };
}

describe('decision engine cache', () => {
  it('answers from the cache without reading again while verified', async () => {
    const { state, engine } = fakeSource();
    await engine.decide('u1', 't1', 'users.read');
    await engine.decide('u1', 't1', 'users.read');
    expect(engine.tryDecide('u1', 't1', 'users.read')).toEqual({ allowed: true });
    expect(state.userReads).toBe(1);
    expect(state.versionReads).toBe(1);
  });

  it('after an invalidation re-reads only the version when nothing changed', async () => {
    const { state, engine } = fakeSource();
    await engine.decide('u1', 't1', 'users.read');
    engine.invalidate();
    expect(engine.tryDecide('u1', 't1', 'users.read')).toBeUndefined();
    await engine.decide('u1', 't1', 'users.read');
    expect(state.versionReads).toBe(2);
    expect(state.userReads).toBe(1);
  });

  it('drops the cache when the version moved and answers from fresh facts', async () => {
    const { state, engine } = fakeSource();
    expect((await engine.decide('u1', 't1', 'users.read')).allowed).toBe(true);
    state.locked = true;
    state.version = 2;
    engine.invalidate();
    expect(await engine.decide('u1', 't1', 'users.read')).toEqual({ allowed: false, reason: 'no_access' });
    expect(state.userReads).toBe(2);
  });

  it('keeps a load that began before a drop out of the cache', async () => {
    const { state, engine } = fakeSource();
    let release = () => {};
    state.gate = new Promise<void>((r) => {
      release = r;
    });
    const pending = engine.decide('u1', 't1', 'users.read');
    while (state.userReads === 0) await new Promise((r) => setImmediate(r)); // facts read: not locked
    state.gate = undefined;
    state.locked = true;
    state.version = 2;
    engine.invalidate();
    await engine.decide('other', 't1', 'users.read'); // verifies: the cache is dropped
    release();
    expect((await pending).allowed).toBe(true); // asked before the change
    expect(engine.tryDecide('u1', 't1', 'users.read')).toBeUndefined();
    expect((await engine.decide('u1', 't1', 'users.read')).allowed).toBe(false);
  });
});

describe('bounded cache', () => {
  it('holds about its capacity, dropping the older generation whole', () => {
    const c = new BoundedCache<number, number>(4);
    for (let i = 0; i < 10; i++) c.set(i, i);
    expect(c.size).toBeLessThanOrEqual(4);
    expect(c.get(9)).toBe(9);
    expect(c.get(0)).toBeUndefined();
  });

  it('keeps an entry that is read in every generation', () => {
    const c = new BoundedCache<number, number>(4);
    c.set(0, 0);
    for (let i = 1; i < 20; i++) {
      c.set(i, i);
      expect(c.get(0)).toBe(0);
    }
  });
});

describe('fresh version reads', () => {
  /** A source whose version reads finish only when the test says so. */
  function slowVersions() {
    const reads: { startedAt: number; finish: () => void }[] = [];
    let version = 1;
    const source: DecisionSource = {
      version: () =>
        new Promise<number>((resolve) => {
          const seen = version; // the value as of the moment the read begins
          reads.push({ startedAt: version, finish: () => resolve(seen) });
        }),
      roles: async () => roles,
      userFacts: async () => undefined,
      tenantPlace: async () => undefined,
    };
    const engine = new DecisionEngine(source, new PermissionCatalogue(), { now: () => new Date() });
    return { engine, reads, bump: () => void version++ };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('makes a caller that arrives during a read wait for a read that began after it', async () => {
    const { engine, reads, bump } = slowVersions();
    const first = engine.freshVersion();
    await tick();
    bump(); // committed after the first read began: only a later read may vouch for it
    const second = engine.freshVersion();
    const third = engine.freshVersion();
    expect(reads).toHaveLength(1);
    reads[0]?.finish();
    expect(await first).toBe(1);
    await tick();
    expect(reads).toHaveLength(2); // the two late callers share one queued read
    reads[1]?.finish();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
  });

  it('serves many concurrent callers with at most two reads', async () => {
    const { engine, reads } = slowVersions();
    const all = Array.from({ length: 50 }, () => engine.freshVersion());
    await tick();
    reads[0]?.finish();
    await tick();
    reads[1]?.finish();
    await Promise.all(all);
    expect(reads).toHaveLength(2);
  });
});
