import { parse } from 'csv-parse/sync';
import { AppError } from '../domain/errors.js';
import { IMPORT_LIMITS } from '../domain/import-rows.js';

const refuse = (message: string, code = 'import.file') =>
  new AppError('validation.invalid', message, { errors: [{ field: 'file', code, message }] });

/**
 * Reads an import file into records (column → value). CSV per RFC 4180 through csv-parse; the
 * header is read by hand and records are built with Object.fromEntries, so a `__proto__`
 * column becomes an own key that validation refuses, never a prototype.
 */
export function parseImportFile(text: string, format: 'csv' | 'json'): Record<string, unknown>[] {
  if (Buffer.byteLength(text) > IMPORT_LIMITS.maxBytes)
    throw refuse(`The file exceeds ${IMPORT_LIMITS.maxBytes} bytes`);
  return format === 'csv' ? parseCsv(text) : parseJson(text);
}

function parseCsv(text: string): Record<string, unknown>[] {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      max_record_size: IMPORT_LIMITS.maxCell * 64,
      to: IMPORT_LIMITS.maxRows + 2,
    }) as string[][];
  } catch (e) {
    throw refuse(`The CSV cannot be read: ${(e as Error).message.slice(0, 200)}`, 'import.csv');
  }
  const [header, ...body] = rows;
  if (!header) throw refuse('The file is empty');
  if (new Set(header).size !== header.length) throw refuse('A column name appears twice', 'import.duplicate_column');
  if (body.length > IMPORT_LIMITS.maxRows) throw refuse(`At most ${IMPORT_LIMITS.maxRows} rows per import`);
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

function parseJson(text: string): Record<string, unknown>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw refuse('The JSON cannot be read', 'import.json');
  }
  return recordsFromDoc(doc);
}

/** Records of a parsed JSON import: `{"users": [...]}` or a bare array of user objects. */
export function recordsFromDoc(doc: unknown): Record<string, unknown>[] {
  const users = Array.isArray(doc) ? doc : (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) throw refuse('Expected {"users": [...]} or an array of users', 'import.json');
  if (users.length > IMPORT_LIMITS.maxRows) throw refuse(`At most ${IMPORT_LIMITS.maxRows} rows per import`);
  if (users.some((u) => typeof u !== 'object' || u === null || Array.isArray(u))) {
    throw refuse('Every user must be an object', 'import.json');
  }
  return users as Record<string, unknown>[];
}
