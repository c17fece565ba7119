import { describe, expect, it } from 'vitest';
import { type FieldDefinition, type FieldType, validateFieldDefinition, validateFieldValues } from './custom-fields.js';
import { AppError, type FieldError } from './errors.js';

const def = (key: string, type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  id: `f-${key}`,
  tenantId: 't-1',
  key,
  label: key,
  type,
  required: false,
  options: [],
  ...extra,
});

const DEFS: FieldDefinition[] = [
  def('cost_centre', 'text'),
  def('headcount', 'number'),
  def('newsletter', 'boolean'),
  def('start_date', 'date'),
  def('region', 'select', { options: ['north', 'south', 'east'] }),
];

/** The field errors of a refused write, or [] when the values are accepted. */
const errorsOf = (defs: readonly FieldDefinition[], values: Record<string, unknown>): FieldError[] => {
  try {
    validateFieldValues(defs, values);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('validation.field_value');
    return (e as AppError).errors ?? [];
  }
};

describe('custom field values by type', () => {
  it.each([
    ['cost_centre', 'KST-4711'],
    ['cost_centre', ''],
    ['cost_centre', 'x'.repeat(1000)],
    ['headcount', 42],
    ['headcount', -1.5],
    ['headcount', 0],
    ['newsletter', true],
    ['newsletter', false],
    ['start_date', '2024-02-29'],
    ['start_date', '1999-12-31'],
    ['region', 'south'],
  ])('accepts %s = %j', (key, value) => {
    expect(validateFieldValues(DEFS, { [key]: value })).toEqual({ [key]: value });
  });

  it.each([
    ['cost_centre', 4711],
    ['cost_centre', 'x'.repeat(1001)],
    ['headcount', '42'],
    ['headcount', Number.NaN],
    ['headcount', Number.POSITIVE_INFINITY],
    ['newsletter', 'true'],
    ['newsletter', 1],
    ['start_date', '2024-02-30'],
    ['start_date', '2023-02-29'],
    ['start_date', '2024-13-01'],
    ['start_date', '2024-2-3'],
    ['start_date', '2024-02-03T10:00:00Z'],
    ['start_date', 20240203],
    ['region', 'west'],
    ['region', 'North'],
    ['region', ['north']],
  ])('refuses %s = %j as field.invalid', (key, value) => {
    expect(errorsOf(DEFS, { [key]: value })).toEqual([
      expect.objectContaining({ field: `customFields.${key}`, code: 'field.invalid' }),
    ]);
  });

  it('names the allowed options when a select value is not one of them', () => {
    const [err] = errorsOf(DEFS, { region: 'west' });
    expect(err?.message).toContain('north, south, east');
  });
});

describe('custom field values as a whole', () => {
  it('refuses an unknown key', () => {
    expect(errorsOf(DEFS, { shoe_size: 44 })).toEqual([
      expect.objectContaining({ field: 'customFields.shoe_size', code: 'field.unknown' }),
    ]);
  });

  it('refuses a missing required field', () => {
    const defs = [...DEFS, def('customer_no', 'text', { required: true })];
    expect(errorsOf(defs, { headcount: 3 })).toEqual([
      expect.objectContaining({ field: 'customFields.customer_no', code: 'field.required' }),
    ]);
  });

  it('treats null as clearing a value, which a required field refuses', () => {
    expect(validateFieldValues(DEFS, { headcount: null, region: 'north' })).toEqual({ region: 'north' });
    const defs = [def('customer_no', 'text', { required: true })];
    expect(errorsOf(defs, { customer_no: null })).toEqual([expect.objectContaining({ code: 'field.required' })]);
  });

  it('reports an invalid required field once, as invalid rather than missing', () => {
    const defs = [def('headcount', 'number', { required: true })];
    expect(errorsOf(defs, { headcount: 'many' })).toEqual([
      expect.objectContaining({ field: 'customFields.headcount', code: 'field.invalid' }),
    ]);
  });

  it('reports every problem of a write at once', () => {
    const defs = [...DEFS, def('customer_no', 'text', { required: true })];
    const codes = errorsOf(defs, { shoe_size: 1, headcount: 'x' })
      .map((e) => e.code)
      .sort();
    expect(codes).toEqual(['field.invalid', 'field.required', 'field.unknown']);
  });

  it('accepts an empty write when nothing is required', () => {
    expect(validateFieldValues(DEFS, {})).toEqual({});
  });

  // BUG (src/domain/custom-fields.ts, required check in validateFieldValues): `out` is a plain
  // object, so `out['constructor']` is Object.prototype.constructor and a required field with the
  // valid key `constructor` is never reported missing. Expected field.required, actual: accepted.
  it('refuses a missing required field whose key is constructor', () => {
    const defs = [def('constructor', 'text', { required: true })];
    expect(errorsOf(defs, {})).toEqual([expect.objectContaining({ code: 'field.required' })]);
  });
});

describe('custom field definitions', () => {
  it('accepts a text field and a select field with distinct options', () => {
    expect(validateFieldDefinition({ key: 'cost_centre', label: 'Cost centre', type: 'text', options: [] })).toEqual(
      [],
    );
    expect(validateFieldDefinition({ key: 'region', label: 'Region', type: 'select', options: ['n', 's'] })).toEqual(
      [],
    );
  });

  it.each(['CostCentre', '1st', '_x', 'cost-centre', '', 'a'.repeat(64)])('refuses the key %j', (key) => {
    expect(validateFieldDefinition({ key, label: 'x', type: 'text', options: [] })).toEqual([
      expect.objectContaining({ field: 'key', code: 'field.invalid_key' }),
    ]);
  });

  it('refuses an empty or overlong label', () => {
    for (const label of ['', '   ', 'x'.repeat(201)]) {
      expect(validateFieldDefinition({ key: 'k', label, type: 'text', options: [] })).toEqual([
        expect.objectContaining({ field: 'label', code: 'field.invalid_label' }),
      ]);
    }
  });

  it('refuses a select without options or with duplicate options', () => {
    for (const options of [[], ['a', 'a']]) {
      expect(validateFieldDefinition({ key: 'k', label: 'K', type: 'select', options })).toEqual([
        expect.objectContaining({ field: 'options', code: 'field.invalid_options' }),
      ]);
    }
  });

  it('refuses options on a field that is not a select', () => {
    expect(validateFieldDefinition({ key: 'k', label: 'K', type: 'number', options: ['1'] })).toEqual([
      expect.objectContaining({ field: 'options', code: 'field.invalid_options' }),
    ]);
  });
});
