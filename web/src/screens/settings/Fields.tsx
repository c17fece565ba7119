import { Badge, Button, Checkbox, Group, Select, Stack, Table, TagsInput, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';

type FieldType = 'text' | 'number' | 'boolean' | 'date' | 'select';

/** Custom user fields of the tenant; values are checked on every write and import. */
export function Fields() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/fields', { params: { path: { id } } }))).items,
    [id],
  );
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState<FieldType>('text');
  const [required, setRequired] = useState(false);
  const [options, setOptions] = useState<string[]>([]);
  const [error, setError] = useState<ApiError>();

  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await must(
        api.POST('/api/v1/tenants/{id}/fields', {
          params: { path: { id } },
          body: { key: key.trim(), label: label.trim(), type, required, ...(type === 'select' ? { options } : {}) },
        }),
      );
      setKey('');
      setLabel('');
      setOptions([]);
    });
  };
  const items = list.data ?? [];

  return (
    <Stack>
      <form onSubmit={create}>
        <Group align="flex-end">
          <TextInput
            label="Key"
            description="Column name in exports"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            required
            w={160}
          />
          <TextInput label="Label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} required w={200} />
          <Select
            label="Type"
            data={['text', 'number', 'boolean', 'date', 'select']}
            value={type}
            onChange={(v) => setType((v ?? 'text') as FieldType)}
            allowDeselect={false}
            w={130}
          />
          {type === 'select' && <TagsInput label="Options" value={options} onChange={setOptions} w={240} />}
          <Checkbox label="Required" checked={required} onChange={(e) => setRequired(e.currentTarget.checked)} mb={8} />
          <Button type="submit">Add field</Button>
        </Group>
      </form>
      <ProblemAlert error={error ?? list.error} onClose={error ? () => setError(undefined) : undefined} />
      {items.length === 0 ? (
        <Empty title="No custom fields">
          Define fields such as a cost centre or a staff number; they appear on every user.
        </Empty>
      ) : (
        <Table verticalSpacing="xs" aria-label="Custom fields">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Label</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  {f.label}{' '}
                  {f.required && (
                    <Badge size="xs" variant="light">
                      required
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ff="monospace">{f.key}</Table.Td>
                <Table.Td>
                  {f.type}
                  {f.type === 'select' && ` (${f.options.join(', ')})`}
                </Table.Td>
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    onClick={() =>
                      void run(() =>
                        must(
                          api.DELETE('/api/v1/tenants/{id}/fields/{itemId}', {
                            params: { path: { id, itemId: f.id } },
                          }),
                        ),
                      )
                    }
                    aria-label={`Remove ${f.label}`}
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
