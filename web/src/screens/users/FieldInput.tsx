import { NumberInput, Select, Switch, TextInput } from '@mantine/core';
import type { FieldDef } from '../../api/types';

/** One custom field, with the input that fits its type; the server validates again. */
export function FieldInput({
  def,
  value,
  onChange,
  disabled,
}: {
  def: FieldDef;
  value: unknown;
  onChange(v: unknown): void;
  disabled?: boolean;
}) {
  const common = { label: def.label, required: def.required, disabled };
  switch (def.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(v === '' ? undefined : Number(v))}
        />
      );
    case 'boolean':
      return (
        <Switch
          label={def.label}
          disabled={disabled}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          mt="md"
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          data={def.options}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          clearable={!def.required}
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
        />
      );
  }
}
