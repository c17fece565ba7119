/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return that
 * precedes one) as a formula: OWASP's CSV-injection advice is to prefix such a cell with a
 * single quote, which the program shows as text. Applied to every exported text cell.
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One exported user: what an administrator moves between systems. */
export interface ExportedUser {
  loginName: string;
  email: string | null;
  /** The current address is verified (a mark for another, older address does not count). */
  emailVerified: boolean;
  displayName: string;
  type: 'primary' | 'secondary';
  state: 'active' | 'locked' | 'disabled';
  roles: string[];
  companies: string[];
  customFields: Record<string, unknown>;
  /** Only on explicit request by a holder of AdministrationAdvanced. */
  passwordHash?: string | null;
}

/** The CSV header for a tenant: fixed columns, one `field:<key>` column per custom field. */
export function csvColumns(fieldKeys: readonly string[], withHashes: boolean): string[] {
  return [
    'loginName',
    'email',
    'emailVerified',
    'displayName',
    'type',
    'state',
    'roles',
    'companies',
    ...fieldKeys.map((k) => `field:${k}`),
    ...(withHashes ? ['passwordHash'] : []),
  ];
}

/** A user as one CSV record: lists joined by `;`, values as text, every cell neutralised. */
export function csvRecord(u: ExportedUser, fieldKeys: readonly string[], withHashes: boolean): string[] {
  const text = (v: unknown): string =>
    v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return [
    u.loginName,
    u.email ?? '',
    String(u.emailVerified),
    u.displayName,
    u.type,
    u.state,
    u.roles.join(';'),
    u.companies.join(';'),
    ...fieldKeys.map((k) => text(u.customFields[k])),
    ...(withHashes ? [u.passwordHash ?? ''] : []),
  ].map(neutraliseFormula);
}
