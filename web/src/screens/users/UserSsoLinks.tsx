import { Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { UserView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';

/**
 * External identities of an own user (`sso.manage`): which provider account signs in as this user.
 * The subject is what the connection's claim mapping yields (for Entra across tenants `tid:oid`).
 */
export function UserSsoLinks({ user }: { user: UserView }) {
  const { can } = useSession();
  const me = useMe();
  const tenant = me.actingTenant.id;
  const shown = can('sso.manage') && user.relation === 'own';
  const links = useLoad(async () => {
    if (!shown) return [];
    const path = { params: { path: { id: tenant, userId: user.id } } };
    return (await must(api.GET('/api/v1/tenants/{id}/users/{userId}/sso-links', path))).items;
  }, [tenant, user.id, shown]);
  const connections = useLoad(async () => {
    if (!shown) return [];
    return (await must(api.GET('/api/v1/tenants/{id}/sso-connections', { params: { path: { id: tenant } } }))).items;
  }, [tenant, shown]);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  if (!shown) return null;
  const nameOf = (id: string) => connections.data?.find((c) => c.id === id)?.name ?? `${id.slice(0, 8)}…`;

  const run = async (key: string, fn: () => Promise<unknown>) => {
    setBusy(key);
    setError(undefined);
    try {
      await fn();
      links.reload();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };
  const link = (e: FormEvent) => {
    e.preventDefault();
    if (!connectionId) return;
    void run('link', async () => {
      await must(
        api.POST('/api/v1/tenants/{id}/users/{userId}/sso-links', {
          params: { path: { id: tenant, userId: user.id } },
          body: { connectionId, subject: subject.trim() },
        }),
      );
      setSubject('');
    });
  };
  const unlink = (cid: string) =>
    run(cid, () =>
      must(
        api.DELETE('/api/v1/tenants/{id}/users/{userId}/sso-links/{connectionId}', {
          params: { path: { id: tenant, userId: user.id, connectionId: cid } },
        }),
      ),
    );
  const items = links.data ?? [];

  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Single sign-on
        </Title>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No provider account is linked to this user.
          </Text>
        ) : (
          <Table aria-label="SSO links" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Connection</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((l) => (
                <Table.Tr key={l.connectionId}>
                  <Table.Td>{nameOf(l.connectionId)}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {l.subject}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      loading={busy === l.connectionId}
                      onClick={() => void unlink(l.connectionId)}
                      aria-label={`Unlink ${nameOf(l.connectionId)}`}
                    >
                      Unlink
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {(connections.data ?? []).length > 0 && (
          <form onSubmit={link} aria-label="Link a provider account">
            <Stack gap="xs">
              <Select
                label="Connection"
                data={(connections.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                value={connectionId}
                onChange={setConnectionId}
              />
              <TextInput
                label="Subject at the provider"
                description="As the connection's claim mapping yields it, e.g. tid:oid for Entra ID"
                value={subject}
                onChange={(e) => setSubject(e.currentTarget.value)}
                required
              />
              <Group>
                <Button type="submit" variant="default" disabled={!connectionId} loading={busy === 'link'}>
                  Link account
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        <ProblemAlert error={error ?? links.error} onClose={error ? () => setError(undefined) : undefined} />
      </Stack>
    </Paper>
  );
}
