import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from './custom-fields.js';
import { parseImportRecord, verifiedClaim } from './import-rows.js';

const fields: FieldDefinition[] = [
  { id: 'f1', tenantId: 't', key: 'cost_centre', label: 'Cost centre', type: 'number', required: false, options: [] },
  { id: 'f2', tenantId: 't', key: 'vip', label: 'VIP', type: 'boolean', required: false, options: [] },
];
const csv = (r: Record<string, unknown>) => parseImportRecord(r, 2, fields, { csv: true });
const codes = (r: ReturnType<typeof csv>) => r.errors.map((e) => e.code);

describe('parseImportRecord', () => {
  it('reads a CSV row: lists split on ;, custom fields typed by definition, defaults filled', () => {
    const { row, errors } = csv({
      loginName: 'anna',
      roles: 'Marketing; CustomerBasic',
      companies: 'Nord;Zentrale',
      'field:cost_centre': '4711',
      'field:vip': 'true',
    });
    expect(errors).toEqual([]);
    expect(row).toMatchObject({
      loginName: 'anna',
      displayName: 'anna',
      type: 'secondary',
      state: 'active',
      roles: ['CustomerBasic', 'Marketing'],
      companies: ['Nord', 'Zentrale'],
      customFields: { cost_centre: 4711, vip: true },
      passwordHash: null,
    });
  });

  it('refuses a raw formula in CSV but restores a neutralised one', () => {
    expect(codes(csv({ loginName: 'a', displayName: '=SUM(A1)' }))).toEqual(['import.formula']);
    expect(codes(csv({ loginName: 'a', displayName: '@cmd' }))).toEqual(['import.formula']);
    expect(csv({ loginName: 'a', displayName: "'=SUM(A1)" }).row?.displayName).toBe('=SUM(A1)');
    expect(csv({ loginName: 'a', displayName: "'plain" }).row?.displayName).toBe("'plain");
  });

  it('takes JSON values as they are: JSON is not opened by spreadsheets', () => {
    const { row } = parseImportRecord({ loginName: 'a', displayName: '=SUM(A1)', roles: ['X'] }, 1, fields, {
      csv: false,
    });
    expect(row).toMatchObject({ displayName: '=SUM(A1)', roles: ['X'] });
  });

  it('accepts argon2 and bcrypt hashes and refuses plaintext passwords and other hashes', () => {
    const argon = '$argon2id$v=19$m=19456,p=1,t=2$h0h7o0ccRHfGXOFdz5dAGQ$Gp1hUodWDb9NaSey/rr7XB/qdB+97ws/pn8QH9WPmxs';
    const bcrypt = '$2b$04$LVhJDRMpfNPZwmDwzESGuOCrb9YXpvlHgfHcn7B1ah.3XSfDaem82';
    expect(csv({ loginName: 'a', passwordHash: argon }).row?.passwordHash).toBe(argon);
    expect(csv({ loginName: 'a', passwordHash: bcrypt }).row?.passwordHash).toBe(bcrypt);
    expect(codes(csv({ loginName: 'a', passwordHash: '5f4dcc3b5aa765d61d8327deb882cf99' }))).toEqual([
      'import.hash_format',
    ]);
    expect(codes(csv({ loginName: 'a', password: 'hunter2 hunter2 hunter2' }))).toEqual(['import.plaintext_password']);
  });

  it('reports unknown filled columns, unknown fields, long cells and invalid values', () => {
    expect(codes(csv({ loginName: 'a', emial: 'x@y.z' }))).toEqual(['import.unknown_column']);
    expect(codes(csv({ loginName: 'a', emial: '' }))).toEqual([]);
    expect(codes(csv({ loginName: 'a', __proto__x: '1', 'field:nope': '1' }))).toEqual([
      'import.unknown_column',
      'field.unknown',
    ]);
    expect(codes(csv({ loginName: 'a', displayName: 'x'.repeat(1001) }))).toEqual(['import.cell_too_long']);
    expect(codes(csv({ loginName: 'a b', email: 'no', type: 'boss', state: 'gone' }))).toEqual([
      'format',
      'format',
      'enum',
      'enum',
    ]);
  });

  it('treats a __proto__ key as data, never as a prototype', () => {
    const record = JSON.parse('{"loginName":"a","__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(codes(csv(record))).toEqual(['import.unknown_column']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads emailVerified: CSV true/false/empty, JSON a boolean or null, nothing else', () => {
    const json = (r: Record<string, unknown>) => parseImportRecord(r, 1, fields, { csv: false });
    const row = { loginName: 'a', email: 'a@example.com' };
    expect(csv({ ...row, emailVerified: 'true' }).row?.emailVerified).toBe(true);
    expect(csv({ ...row, emailVerified: 'false' }).row?.emailVerified).toBe(false);
    expect(csv({ ...row, emailVerified: '' }).row?.emailVerified).toBe(false);
    expect(csv(row).row?.emailVerified).toBe(false);
    expect(json({ ...row, emailVerified: true }).row?.emailVerified).toBe(true);
    expect(json({ ...row, emailVerified: null }).row?.emailVerified).toBe(false);
    expect(codes(csv({ ...row, emailVerified: 'yes' }))).toEqual(['enum']);
    expect(codes(json({ ...row, emailVerified: 'true' }))).toEqual(['enum']);
    expect(csv({ loginName: 'a', emailVerified: 'true' }).errors).toEqual([
      expect.objectContaining({ field: 'emailVerified', code: 'missing' }),
    ]);
  });
});

describe('verifiedClaim', () => {
  const claim = (email: string | null, emailVerified: boolean) => ({ email, emailVerified });
  it('lets anyone re-state the verified current address, and marks nothing anew', () => {
    expect(verifiedClaim(claim('Ada@Example.com', true), 'ada@example.com', false)).toEqual({ attest: false });
    expect(verifiedClaim(claim('ada@example.com', true), 'ada@example.com', true)).toEqual({ attest: false });
  });

  it('marks a new or changed address only for a trusted importer', () => {
    expect(verifiedClaim(claim('new@example.com', true), 'old@example.com', true)).toEqual({ attest: true });
    expect(verifiedClaim(claim('new@example.com', true), null, true)).toEqual({ attest: true });
    for (const verified of ['old@example.com', null]) {
      expect(verifiedClaim(claim('new@example.com', true), verified, false)).toMatchObject({
        attest: false,
        refusal: { code: 'grant.missing_permission' },
      });
    }
  });

  it('never marks for false', () => {
    expect(verifiedClaim(claim('a@example.com', false), null, true)).toEqual({ attest: false });
    expect(verifiedClaim(claim('a@example.com', false), null, false)).toEqual({ attest: false });
  });
});
