import { Badge, Button, Group, Paper, Select, Stack, Table, TagsInput, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { WebhookSecret } from './WebhookSecret';

const SCOPES = [
  { value: 'tenant', label: 'This tenant' },
  { value: 'subtree', label: 'This tenant and every tenant below it' },
];

export const STATE_COLORS: Record<string, string> = { active: 'green', failing: 'red', disabled: 'gray' };

/** The tenant's webhook subscriptions (issue 17); needs webhooks.manage. */
export function Webhooks() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/webhooks', { params: { path: { id } } }))).items,
    [id],
  );
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [scope, setScope] = useState<'tenant' | 'subtree'>('tenant');
  const [secret, setSecret] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await must(
        api.POST('/api/v1/tenants/{id}/webhooks', {
          params: { path: { id } },
          body: { url: url.trim(), eventTypes: types.length ? types : null, scope },
        }),
      );
      setSecret(r.secret);
      setUrl('');
      setTypes([]);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };
  const items = list.data ?? [];

  return (
    <Page
      title="Webhooks"
      description="Kontor POSTs every event of the activity log that a subscription wants, signed (Standard Webhooks), to its URL. Retries for a day; the delivery log shows each attempt."
    >
      <Paper withBorder p="md" radius="md">
        <form onSubmit={create}>
          <Stack>
            <Title order={2} size="h4">
              Subscribe a URL
            </Title>
            <Group grow align="flex-start">
              <TextInput
                label="URL"
                placeholder="https://crm.example.com/kontor"
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                required
              />
              <Select
                label="Events of"
                data={SCOPES}
                value={scope}
                onChange={(v) => setScope((v ?? 'tenant') as 'tenant' | 'subtree')}
                allowDeselect={false}
              />
            </Group>
            <TagsInput
              label="Event types"
              description="Activity-log actions such as user.deleted; none: every event. Press Enter after each."
              value={types}
              onChange={setTypes}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={busy}>
                Subscribe
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <ProblemAlert error={error ?? list.error} onClose={error ? () => setError(undefined) : undefined} />
      {secret && <WebhookSecret secret={secret} onClose={() => setSecret(undefined)} />}
      {items.length === 0 ? (
        <Empty title="No webhooks yet">
          Subscribe a URL to learn at once when users are locked, deleted or change roles.
        </Empty>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" aria-label="Webhooks">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>URL</Table.Th>
                  <Table.Th>Events</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>State</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <a href={href('webhooks', s.id)}>{s.url}</a>
                    </Table.Td>
                    <Table.Td>{s.eventTypes?.join(', ') || 'all'}</Table.Td>
                    <Table.Td>{s.scope}</Table.Td>
                    <Table.Td>
                      <Badge color={STATE_COLORS[s.state] ?? 'gray'} variant="light">
                        {s.state}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Page>
  );
}
