import { Anchor, Badge, Paper, Stack, Table, Title } from '@mantine/core';
import { api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';

/** Risky but allowed set-ups that apply to the tenant now. */
export function Advisories() {
  const me = useMe();
  const list = useLoad(
    async () =>
      (await must(api.GET('/api/v1/tenants/{id}/advisories', { params: { path: { id: me.actingTenant.id } } }))).items,
    [me.actingTenant.id],
  );
  const items = list.data ?? [];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Title order={2} size="h4">
          Advisories
        </Title>
        <ProblemAlert error={list.error} />
        {list.loading && !list.data ? (
          <Loading label="Loading advisories" />
        ) : items.length === 0 ? (
          <Empty title="No advisories">Nothing risky right now: no unusual administration roles or shares.</Empty>
        ) : (
          <Table verticalSpacing="sm" aria-label="Advisories">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Advisory</Table.Th>
                <Table.Th>About</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={`${a.code}-${a.userId}-${a.shareId ?? ''}`}>
                  <Table.Td>
                    <Anchor href={href('users', a.userId)}>{a.loginName}</Anchor>
                  </Table.Td>
                  <Table.Td>{a.message}</Table.Td>
                  <Table.Td>
                    <Badge color="yellow" variant="light" tt="none">
                      {a.shareId ? 'share' : 'roles'}
                    </Badge>
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
