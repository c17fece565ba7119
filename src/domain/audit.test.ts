import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditEvent, type AuditInput, canonicalJson, chainMaterial, GENESIS_HASH, verifyChain } from './audit.js';

const sha256 = (material: string): string => createHash('sha256').update(material).digest('hex');

const input = (i: number): AuditInput => ({
  tenantId: 't-1',
  actorUserId: 'u-admin',
  actorTenantId: 't-1',
  action: i % 2 === 0 ? 'user.roles.assigned' : 'user.created',
  targetType: 'user',
  targetId: `u-${i}`,
  details: { roles: ['Marketing'], n: i },
  ip: '192.0.2.1',
  requestId: `req-${i}`,
});

/** A correctly chained log of `n` events, seq 1..n. */
function chain(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const unsigned = { ...input(seq), seq, at: new Date(Date.UTC(2025, 0, 1, 0, seq)), prevHash };
    const e: AuditEvent = { ...unsigned, hash: sha256(chainMaterial(unsigned)) };
    out.push(e);
    prevHash = e.hash;
  }
  return out;
}

/** Re-signs an event after a change, as a forger who knows the hash function would. */
const resign = (e: AuditEvent): AuditEvent => {
  const { hash: _old, ...unsigned } = e;
  return { ...unsigned, hash: sha256(chainMaterial(unsigned)) };
};

const headOf = (events: AuditEvent[]) => {
  const last = events.at(-1) as AuditEvent;
  return { seq: last.seq, hash: last.hash };
};

describe('verifyChain', () => {
  it('finds nothing wrong with an intact chain, with or without the head', () => {
    const events = chain(5);
    expect(verifyChain(events, sha256)).toEqual([]);
    expect(verifyChain(events, sha256, headOf(events))).toEqual([]);
    expect(verifyChain([], sha256)).toEqual([]);
  });

  it('detects a changed event by its hash', () => {
    const events = chain(5);
    events[2] = { ...(events[2] as AuditEvent), details: { roles: ['AdministrationAdvanced'], n: 3 } };
    expect(verifyChain(events, sha256)).toEqual([{ seq: 3, problem: 'hash_mismatch' }]);
  });

  it('detects a changed and re-signed event by the broken link of its successor', () => {
    const events = chain(5);
    events[2] = resign({ ...(events[2] as AuditEvent), actorUserId: 'u-someone-else' });
    expect(verifyChain(events, sha256)).toEqual([{ seq: 4, problem: 'broken_link' }]);
  });

  it('detects a deleted middle event as missing with a broken link after it', () => {
    const events = chain(5);
    const head = headOf(events);
    events.splice(2, 1);
    expect(verifyChain(events, sha256, head)).toEqual([
      { seq: 3, problem: 'missing' },
      { seq: 4, problem: 'broken_link' },
    ]);
  });

  it('detects a deleted last event using the head', () => {
    const events = chain(5);
    const head = headOf(events);
    events.pop();
    expect(verifyChain(events, sha256, head)).toEqual([{ seq: 5, problem: 'missing' }]);
  });

  it('cannot see a deleted last event without the head', () => {
    const events = chain(5);
    events.pop();
    expect(verifyChain(events, sha256)).toEqual([]);
  });

  it('detects a deleted first event', () => {
    const events = chain(3).slice(1);
    expect(verifyChain(events, sha256)).toEqual([
      { seq: 1, problem: 'missing' },
      { seq: 2, problem: 'broken_link' },
    ]);
  });

  it('detects a fully rewritten chain through the head', () => {
    const original = chain(4);
    const head = headOf(original);
    // The forger changes event 2 and re-signs it and every later event.
    const forged: AuditEvent[] = [];
    let prevHash = GENESIS_HASH;
    for (const e of original) {
      const changed = e.seq === 2 ? { ...e, action: 'user.deleted' } : e;
      const signed = resign({ ...changed, prevHash });
      forged.push(signed);
      prevHash = signed.hash;
    }
    expect(verifyChain(forged, sha256)).toEqual([]);
    expect(verifyChain(forged, sha256, head)).toEqual([{ seq: 4, problem: 'hash_mismatch' }]);
  });

  it('detects an emptied log through the head', () => {
    const events = chain(2);
    expect(verifyChain([], sha256, headOf(events))).toEqual([
      { seq: 1, problem: 'missing' },
      { seq: 2, problem: 'missing' },
    ]);
  });
});

describe('canonical JSON of an event', () => {
  it('is independent of the order of object keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('drops undefined properties and writes dates as ISO text', () => {
    expect(canonicalJson({ a: undefined, at: new Date(Date.UTC(2025, 0, 1)) })).toBe(
      '{"at":"2025-01-01T00:00:00.000Z"}',
    );
  });

  it('hashes every field of the event, so a change of any field changes the material', () => {
    const [e] = chain(1) as [AuditEvent];
    const base = chainMaterial(e);
    const variants: Partial<AuditEvent>[] = [
      { seq: 2 },
      { at: new Date(0) },
      { tenantId: 't-2' },
      { actorUserId: null },
      { actorTenantId: 't-2' },
      { action: 'x' },
      { targetType: 'tenant' },
      { targetId: null },
      { details: {} },
      { ip: null },
      { requestId: null },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const v of variants) expect(chainMaterial({ ...e, ...v }), JSON.stringify(v)).not.toBe(base);
  });
});
