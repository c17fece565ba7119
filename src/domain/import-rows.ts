import type { FieldDefinition } from './custom-fields.js';
import { isValidEmail, isValidLoginName, USER_STATES, USER_TYPES, type UserState, type UserType } from './user.js';

/** Limits of one import: beyond them the file is refused before any row is looked at. */
export const IMPORT_LIMITS = { maxRows: 200_000, maxCell: 1_000, maxBytes: 64 * 1024 * 1024 } as const;

/** One problem of one row; `line` is the file line (CSV) or the 1-based array index (JSON). */
export interface RowError {
  line: number;
  /** 1-based position of the field among the row's columns (CSV) or keys (JSON), when it has one. */
  column?: number;
  field: string;
  code: string;
  message: string;
}

/** A row as the domain accepts it. Roles by key, companies by name, custom fields typed. */
export interface ImportRow {
  line: number;
  loginName: string;
  email: string | null;
  /**
   * The file claims the address is verified. A claim only: the import decides whether the
   * importer may vouch for it (see import-users.ts).
   */
  emailVerified: boolean;
  displayName: string;
  type: UserType;
  state: UserState;
  roles: string[];
  companies: string[];
  customFields: Record<string, unknown>;
  /** A pre-hashed password (argon2 or bcrypt), taken as-is. */
  passwordHash: string | null;
}

const FIXED = [
  'loginName',
  'email',
  'emailVerified',
  'displayName',
  'type',
  'state',
  'roles',
  'companies',
  'customFields',
  'passwordHash',
];
const HASH =
  /^(\$argon2(id|i|d)\$v=\d+\$[mtp]=\d+(,[mtp]=\d+){2}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+|\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53})$/;
const FORMULA = /^[=+\-@\t\r]/;

/**
 * For CSV: undoes the export's neutralisation (a quote before a formula character) and refuses a raw
 * formula: a cell that a spreadsheet would execute never enters Kontor.
 */
function cellText(v: string, line: number, field: string, errors: RowError[], csv: boolean): string {
  if (v.length > IMPORT_LIMITS.maxCell) {
    errors.push({ line, field, code: 'import.cell_too_long', message: `At most ${IMPORT_LIMITS.maxCell} characters` });
    return '';
  }
  if (!csv) return v; // JSON is not opened by spreadsheets: its values round-trip unchanged
  if (FORMULA.test(v)) {
    errors.push({
      line,
      field,
      code: 'import.formula',
      message: 'A cell must not start with = + - @ or a control character',
    });
    return '';
  }
  return v.startsWith("'") && FORMULA.test(v.slice(1)) ? v.slice(1) : v;
}

/** CSV `true`/`false`/empty, JSON a boolean or null; anything else is refused, not guessed. */
function verifiedFlag(v: unknown, csv: boolean): boolean | undefined {
  if (v === undefined || v === null || v === false || (csv && (v === '' || v === 'false'))) return false;
  if (v === true || (csv && v === 'true')) return true;
  return undefined;
}

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v.length > 0 ? v.split(';').map((s) => s.trim()) : [];

/** A custom field value from CSV text, converted by the field's type (JSON values pass as they are). */
function fieldValue(def: FieldDefinition, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw === '') return null;
  switch (def.type) {
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

/**
 * Checks one record (a CSV line as column → text, or a JSON object) against the shape of an
 * import: known columns only (`field:<key>` for custom fields, never `password`), each cell
 * within limits and free of formulas, login name and email valid, hashes in argon2 or bcrypt
 * form. Roles, companies and field values are checked against the tenant later.
 */
export function parseImportRecord(
  record: Record<string, unknown>,
  line: number,
  fields: readonly FieldDefinition[],
  opts: { csv: boolean },
): { row: ImportRow; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: string, code: string, message: string) => errors.push({ line, field, code, message });
  const defs = new Map(fields.map((f) => [f.key, f]));
  const customFields: Record<string, unknown> = {};
  const text: Record<string, string> = {};
  let emailVerified = false;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'emailVerified') {
      const flag = verifiedFlag(value, opts.csv);
      if (flag === undefined) fail(key, 'enum', opts.csv ? 'true, false or empty' : 'true, false or null');
      emailVerified = flag === true;
    } else if (key === 'password') {
      fail(key, 'import.plaintext_password', 'Plaintext passwords are never accepted; import a hash or none');
    } else if (key.startsWith('field:')) {
      const def = defs.get(key.slice(6));
      if (!def) fail(key, 'field.unknown', 'No such custom field in this tenant');
      else
        customFields[def.key] = fieldValue(
          def,
          typeof value === 'string' ? cellText(value, line, key, errors, opts.csv) : value,
        );
    } else if (key === 'customFields' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) customFields[k] = v;
    } else if (!FIXED.includes(key)) {
      // An unknown CSV column is reported on each row that fills it: a typo ("emial") must not
      // silently drop data, and an empty extra column harms nothing.
      if (value !== '' && value !== null && value !== undefined) {
        fail(key, 'import.unknown_column', `Unknown column ${key.slice(0, 50)}`);
      }
    } else if (typeof value === 'string') {
      text[key] = cellText(value, line, key, errors, opts.csv);
    } else if (key === 'roles' || key === 'companies') {
      text[key] = list(value).join(';');
    } else if (value !== null && value !== undefined) {
      text[key] = String(value);
    }
  }
  const loginName = text.loginName ?? '';
  if (!isValidLoginName(loginName)) fail('loginName', 'format', 'Letters, digits and . _ @ + - (1–254)');
  const email = text.email ? text.email : null;
  if (email !== null && !isValidEmail(email)) fail('email', 'format', 'Not an email address');
  if (emailVerified && email === null) fail('emailVerified', 'missing', 'There is no address to be verified');
  const type = (text.type || 'secondary') as UserType;
  if (!USER_TYPES.includes(type)) fail('type', 'enum', 'primary or secondary');
  const state = (text.state || 'active') as UserState;
  if (!USER_STATES.includes(state)) fail('state', 'enum', 'active, locked or disabled');
  const passwordHash = text.passwordHash ? text.passwordHash : null;
  if (passwordHash !== null && !HASH.test(passwordHash)) {
    fail('passwordHash', 'import.hash_format', 'Only argon2 or bcrypt hashes are accepted');
  }
  // A row with errors still comes back, as far as it could be read, so the import reports every
  // problem of the row at once (roles, companies, fields) instead of one per attempt.
  return {
    errors,
    row: {
      line,
      loginName,
      email,
      emailVerified,
      displayName: text.displayName || loginName,
      type,
      state,
      roles: [...new Set(list(text.roles))].filter((r) => r.length > 0).sort(),
      companies: [...new Set(list(text.companies))].filter((c) => c.length > 0).sort(),
      customFields,
      passwordHash,
    },
  };
}

/** Who holds this may vouch for an address (by the attestation endpoint or by import). */
export const ATTEST_PERMISSION = 'users.email.attest';

/**
 * What a row's `emailVerified` means for the user it writes. `true` in a file is a claim; SSO's
 * verified-email linking trusts the mark, so an importer who could set it freely could route an
 * IdP account to any user whose address he chose. Hence a new mark only from a trusted importer
 * (`trusted`: the operator or a holder of {@link ATTEST_PERMISSION}). A row that re-states what
 * is already true (the user's current address is verified and the row keeps it, in any case)
 * vouches for nothing: anyone may import it, so an export round-trip keeps the marks, and
 * nothing is marked anew. `false` never marks and never clears (a changed address clears).
 */
export function verifiedClaim(
  row: Pick<ImportRow, 'email' | 'emailVerified'>,
  verifiedEmail: string | null,
  trusted: boolean,
): { attest: boolean; refusal?: { code: 'grant.missing_permission'; message: string } } {
  if (!row.emailVerified || row.email === null) return { attest: false };
  if (verifiedEmail !== null && row.email.toLowerCase() === verifiedEmail.toLowerCase()) return { attest: false };
  if (!trusted) {
    return {
      attest: false,
      refusal: {
        code: 'grant.missing_permission',
        message: `Vouching for a new or changed address needs the permission ${ATTEST_PERMISSION}`,
      },
    };
  }
  return { attest: true };
}
