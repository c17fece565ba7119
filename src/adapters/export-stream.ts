import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { UserExport } from '../app/export-users.js';
import { csvColumns, csvRecord } from '../domain/export-format.js';

/**
 * Turns an export into a byte stream without holding it in memory. CSV follows RFC 4180
 * (csv-stringify quotes as needed, CRLF line ends); JSON is one document `{"users":[…]}`
 * written piece by piece.
 */
export function exportStream(ex: UserExport, format: 'csv' | 'json'): Readable {
  async function* csv() {
    yield stringify([csvColumns(ex.fieldKeys, ex.withHashes)], { record_delimiter: 'windows' });
    for await (const u of ex.users) {
      yield stringify([csvRecord(u, ex.fieldKeys, ex.withHashes)], { record_delimiter: 'windows' });
    }
  }
  async function* json() {
    yield '{"users":[';
    let first = true;
    for await (const u of ex.users) {
      yield `${first ? '' : ','}\n${JSON.stringify(u)}`;
      first = false;
    }
    yield '\n]}\n';
  }
  return Readable.from(format === 'csv' ? csv() : json());
}
