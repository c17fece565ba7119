import { Anchor, Button, Group, Paper, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { api, must } from '../../api/client';
import { useRoles } from '../../catalogue';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { RoleBadges } from '../../components/RolePicker';
import { EmailBadge, RelationBadge, StateBadge } from '../../components/StateBadge';
import { href } from '../../nav';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';
import { CreateUser } from './CreateUser';

const PAGE = 25;
type UserState = 'active' | 'locked' | 'disabled';

export function Users() {
  const me = useMe();
  const { can } = useSession();
  const roles = useRoles();
  const tenantId = me.actingTenant.id;
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 300);
  const [state, setState] = useState<UserState | null>(null);
  // Cursor pagination: the cursors of the pages already seen, so "Previous" needs no offset.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const [creating, setCreating] = useState(false);

  const page = useLoad(
    () =>
      must(
        api.GET('/api/v1/tenants/{id}/users', {
          params: {
            path: { id: tenantId },
            query: {
              limit: PAGE,
              ...(query ? { q: query } : {}),
              ...(state ? { state } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [tenantId, query, state, cursor],
  );
  const resetPaging = () => setCursors([undefined]);
  const items = page.data?.items ?? [];

  return (
    <Page
      title="Users"
      description={`People who act for ${me.actingTenant.name}: own users and users imported through a share.`}
      actions={
        can('users.create') && (
          <Button onClick={() => setCreating(true)} disabled={creating}>
            Create user
          </Button>
        )
      }
    >
      {creating && (
        <CreateUser
          roles={roles}
          onClose={() => setCreating(false)}
          onCreated={() => {
            resetPaging();
            page.reload();
          }}
        />
      )}
      <Paper withBorder p="md" radius="md">
        <Group mb="md" align="flex-end">
          <TextInput
            label="Search"
            placeholder="Name, login or email"
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              resetPaging();
            }}
            w={{ base: '100%', sm: 320 }}
            type="search"
          />
          <Select
            label="State"
            placeholder="Any state"
            data={['active', 'locked', 'disabled']}
            value={state}
            onChange={(v) => {
              setState(v as UserState | null);
              resetPaging();
            }}
            clearable
            w={160}
          />
        </Group>
        <ProblemAlert error={page.error} />
        {page.loading && !page.data ? (
          <Loading label="Loading users" />
        ) : items.length === 0 ? (
          <Empty title={query || state ? 'No user matches' : 'No users yet'}>
            {query || state
              ? 'Try another search, or clear the state filter.'
              : 'Create a user for a colleague with “Create user”, or import users under Settings.'}
          </Empty>
        ) : (
          <Table.ScrollContainer minWidth={880}>
            <Table highlightOnHover verticalSpacing="sm" aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Login name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Origin</Table.Th>
                  <Table.Th>Roles</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>
                      <Anchor href={href('users', u.id)} fw={500}>
                        {u.displayName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {u.loginName}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {u.email ? (
                        <Group gap={6} wrap="nowrap">
                          <Text size="sm">{u.email}</Text>
                          <EmailBadge email={u.email} verified={u.emailVerified} />
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{u.type}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <StateBadge state={u.state} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <RelationBadge relation={u.relation} />
                    </Table.Td>
                    <Table.Td>
                      <RoleBadges keys={u.roles} roles={roles} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="space-between" mt="md">
          <Text size="sm" c="dimmed">
            Page {cursors.length}
          </Text>
          <Group gap="xs">
            <Button
              variant="default"
              size="xs"
              disabled={cursors.length < 2}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous page
            </Button>
            <Button
              variant="default"
              size="xs"
              disabled={!page.data?.nextCursor}
              onClick={() => setCursors((c) => [...c, page.data?.nextCursor ?? undefined])}
            >
              Next page
            </Button>
          </Group>
        </Group>
      </Paper>
    </Page>
  );
}
