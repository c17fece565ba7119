/** One activity-log event as the app layer writes it. Details never carry secrets. */
export interface AuditInput {
  tenantId: string;
  actorUserId: string | null;
  actorTenantId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEvent extends AuditInput {
  seq: number;
  at: Date;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Stable JSON: object keys sorted, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The text a chain link hashes: the previous hash and every field of the event. */
export function chainMaterial(e: Omit<AuditEvent, 'hash'>): string {
  return canonicalJson({
    prevHash: e.prevHash,
    seq: e.seq,
    at: e.at.toISOString(),
    tenantId: e.tenantId,
    actorUserId: e.actorUserId,
    actorTenantId: e.actorTenantId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    details: e.details,
    ip: e.ip,
    requestId: e.requestId,
  });
}

export type ChainProblem =
  | { seq: number; problem: 'hash_mismatch' }
  | { seq: number; problem: 'broken_link' }
  | { seq: number; problem: 'missing' };

/**
 * Walks a tenant's events in `seq` order and names every event whose content changed
 * (hash mismatch), whose predecessor changed or vanished (broken link), or a gap in `seq`.
 */
export function verifyChain(
  events: readonly AuditEvent[],
  digest: (material: string) => string,
  head?: { seq: number; hash: string },
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  for (const e of events) {
    for (; expectSeq < e.seq; expectSeq++) problems.push({ seq: expectSeq, problem: 'missing' });
    if (e.prevHash !== prevHash) problems.push({ seq: e.seq, problem: 'broken_link' });
    if (digest(chainMaterial(e)) !== e.hash) problems.push({ seq: e.seq, problem: 'hash_mismatch' });
    prevHash = e.hash;
    expectSeq = e.seq + 1;
  }
  if (head) {
    for (; expectSeq <= head.seq; expectSeq++) problems.push({ seq: expectSeq, problem: 'missing' });
    if (head.seq === events.at(-1)?.seq && head.hash !== prevHash) {
      problems.push({ seq: head.seq, problem: 'hash_mismatch' });
    }
  }
  return problems;
}
