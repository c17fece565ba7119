import { Alert, Button, Code, CopyButton, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLoad } from '../../use-load';

const day = (d: unknown) => (d ? new Date(String(d)).toLocaleDateString() : '—');

/** Own API tokens for automation; the secret is shown once, the server keeps only a hash. */
export function Tokens() {
  const list = useLoad(async () => (await must(api.GET('/api/v1/me/tokens'))).items, []);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [secret, setSecret] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('create');
    setError(undefined);
    try {
      const t = await must(
        api.POST('/api/v1/me/tokens', {
          body: { name: name.trim(), ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}) },
        }),
      );
      setSecret(t.token);
      setName('');
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(undefined);
  };
  const revoke = async (id: string) => {
    setBusy(id);
    try {
      await must(api.DELETE('/api/v1/me/tokens/{id}', { params: { path: { id } } }));
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(undefined);
  };
  const items = (list.data ?? []).filter((t) => !t.revokedAt);

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Title order={2} size="h4">
          Your API tokens
        </Title>
        <Text size="sm" c="dimmed">
          A token acts as you, in the tenant you act for now, until it expires or you revoke it.
        </Text>
        <form onSubmit={create}>
          <Group align="flex-end">
            <TextInput
              label="Token name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              w={240}
            />
            <TextInput
              label="Expires on"
              type="date"
              value={expires}
              onChange={(e) => setExpires(e.currentTarget.value)}
              w={180}
            />
            <Button type="submit" loading={busy === 'create'}>
              Create token
            </Button>
          </Group>
        </form>
        <ProblemAlert error={error} onClose={() => setError(undefined)} />
        {secret && (
          <Alert
            color="blue"
            variant="light"
            title="Copy the token now: it is shown only once"
            withCloseButton
            onClose={() => setSecret(undefined)}
          >
            <Code block>{secret}</Code>
            <CopyButton value={secret}>
              {({ copied, copy }) => (
                <Button size="xs" mt="xs" variant="light" onClick={copy}>
                  {copied ? 'Copied' : 'Copy token'}
                </Button>
              )}
            </CopyButton>
          </Alert>
        )}
        {items.length === 0 ? (
          <Empty title="No tokens">Create one for a script or an integration; send it as Authorization: Bearer.</Empty>
        ) : (
          <Table verticalSpacing="xs" aria-label="API tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{day(t.createdAt)}</Table.Td>
                  <Table.Td>{day(t.expiresAt)}</Table.Td>
                  <Table.Td>{day(t.lastUsedAt)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      loading={busy === t.id}
                      onClick={() => void revoke(t.id)}
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
