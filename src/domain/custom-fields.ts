import { AppError, type FieldError } from './errors.js';

export const FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'select'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDefinition {
  id: string;
  tenantId: string;
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** Allowed values for `select`. */
  options: string[];
}

const KEY = /^[a-z][a-z0-9_]{0,62}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateFieldDefinition(
  def: Pick<FieldDefinition, 'key' | 'label' | 'type' | 'options'>,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!KEY.test(def.key)) {
    errors.push({ field: 'key', code: 'field.invalid_key', message: 'Use a-z, 0-9 and _' });
  }
  if (def.label.trim().length === 0 || def.label.length > 200) {
    errors.push({ field: 'label', code: 'field.invalid_label', message: '1–200 characters' });
  }
  if (def.type === 'select' && (def.options.length === 0 || new Set(def.options).size !== def.options.length)) {
    errors.push({ field: 'options', code: 'field.invalid_options', message: 'Distinct options needed' });
  }
  if (def.type !== 'select' && def.options.length > 0) {
    errors.push({ field: 'options', code: 'field.invalid_options', message: 'Only select has options' });
  }
  return errors;
}

function checkValue(def: FieldDefinition, value: unknown): string | undefined {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.length <= 1000 ? undefined : 'a text up to 1000 characters';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a finite number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value)) return 'a date YYYY-MM-DD';
      const d = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value) ? undefined : 'a real calendar date';
    }
    case 'select':
      return typeof value === 'string' && def.options.includes(value) ? undefined : `one of ${def.options.join(', ')}`;
  }
}

/**
 * Validates a user's custom field values against the tenant's definitions: unknown keys are
 * refused, required fields must be present, each value has its type. Returns the clean values.
 */
export function validateFieldValues(
  defs: readonly FieldDefinition[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const errors: FieldError[] = [];
  // A null prototype: a field named like an Object method must not look present.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(values)) {
    const def = byKey.get(key);
    if (!def) {
      errors.push({ field: `customFields.${key}`, code: 'field.unknown', message: 'No such field' });
      continue;
    }
    if (value === null) continue;
    const problem = checkValue(def, value);
    if (problem) {
      errors.push({ field: `customFields.${key}`, code: 'field.invalid', message: `Expected ${problem}` });
    } else {
      out[key] = value;
    }
  }
  for (const def of defs) {
    if (def.required && !Object.hasOwn(out, def.key) && !errors.some((e) => e.field === `customFields.${def.key}`)) {
      errors.push({ field: `customFields.${def.key}`, code: 'field.required', message: 'Required' });
    }
  }
  if (errors.length > 0) throw new AppError('validation.field_value', undefined, { errors });
  return { ...out };
}
