import { Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';

/** Corporate groups and branches inside the tenant; users may be limited to some of them. */
export function Companies() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/companies', { params: { path: { id } } }))).items,
    [id],
  );
  const [name, setName] = useState('');
  const [parent, setParent] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const items = list.data ?? [];
  const nameOf = (cid: string | null) => items.find((c) => c.id === cid)?.name ?? '—';

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
        api.POST('/api/v1/tenants/{id}/companies', {
          params: { path: { id } },
          body: { name: name.trim(), parentCompanyId: parent },
        }),
      );
      setName('');
      setParent(null);
    });
  };

  return (
    <Stack>
      <form onSubmit={create}>
        <Group align="flex-end">
          <TextInput
            label="Company name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            w={260}
          />
          <Select
            label="Part of"
            placeholder="No parent company"
            data={items.map((c) => ({ value: c.id, label: c.name }))}
            value={parent}
            onChange={setParent}
            clearable
            w={220}
          />
          <Button type="submit">Add company</Button>
        </Group>
      </form>
      <ProblemAlert error={error ?? list.error} onClose={error ? () => setError(undefined) : undefined} />
      {items.length === 0 ? (
        <Empty title="No companies">
          Add companies to model a corporate group; users stay tenant-wide unless limited.
        </Empty>
      ) : (
        <Table verticalSpacing="xs" aria-label="Companies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Part of</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {nameOf(c.parentCompanyId)}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    onClick={() =>
                      void run(() =>
                        must(
                          api.DELETE('/api/v1/tenants/{id}/companies/{itemId}', {
                            params: { path: { id, itemId: c.id } },
                          }),
                        ),
                      )
                    }
                    aria-label={`Remove ${c.name}`}
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
