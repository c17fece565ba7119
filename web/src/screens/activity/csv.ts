import type { AuditEvent } from '../../api/types';

// A cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection).
const cell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** RFC 4180 text of the events, with the actor's login name where the console knows it. */
export function auditCsv(events: AuditEvent[], actorName: (id: string | null) => string): string {
  const head = [
    'seq',
    'at',
    'action',
    'actor',
    'actorUserId',
    'actorTenantId',
    'targetType',
    'targetId',
    'ip',
    'requestId',
    'details',
    'hash',
  ];
  const rows = events.map((e) => [
    e.seq,
    String(e.at),
    e.action,
    actorName(e.actorUserId),
    e.actorUserId,
    e.actorTenantId,
    e.targetType,
    e.targetId,
    e.ip,
    e.requestId,
    e.details,
    e.hash,
  ]);
  return `${[head, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
