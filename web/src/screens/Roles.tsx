import { Accordion, Badge, Group, Paper, Table, Tabs, Text } from '@mantine/core';
import { api, must } from '../api/client';
import { Loading } from '../components/Loading';
import { Page } from '../components/Page';
import { ProblemAlert } from '../components/ProblemAlert';
import { RoleBadge } from '../components/RolePicker';
import { useLoad } from '../use-load';

/** Read-only: roles are defined by the operator (roles file), permissions by code and installed apps. */
export function Roles() {
  const data = useLoad(async () => {
    const [roles, perms] = await Promise.all([must(api.GET('/api/v1/roles')), must(api.GET('/api/v1/permissions'))]);
    return { roles: roles.items, perms: perms.items };
  }, []);
  const roles = data.data?.roles ?? [];
  return (
    <Page
      title="Roles & permissions"
      description="Roles are defined by the operator of this Kontor; tenants assign them but cannot change them."
    >
      <ProblemAlert error={data.error} />
      {!data.data ? (
        <Loading label="Loading roles" />
      ) : (
        <Tabs defaultValue="roles" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="roles">Roles ({roles.length})</Tabs.Tab>
            <Tabs.Tab value="permissions">Permission catalogue ({data.data.perms.length})</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="roles" pt="md">
            <Paper withBorder radius="md">
              <Accordion multiple chevronPosition="left">
                {roles.map((r) => (
                  <Accordion.Item key={r.key} value={r.key}>
                    <Accordion.Control>
                      <Group gap="sm" wrap="nowrap">
                        <RoleBadge role={r.key} roles={roles} />
                        <Text size="sm" c="dimmed" truncate>
                          {r.category} · {r.description}
                        </Text>
                      </Group>
                    </Accordion.Control>
                    <Accordion.Panel>
                      <Group gap={6}>
                        {r.permissions.map((p) => (
                          <Badge key={p} variant="outline" color="gray" tt="none" ff="monospace">
                            {p}
                          </Badge>
                        ))}
                      </Group>
                    </Accordion.Panel>
                  </Accordion.Item>
                ))}
              </Accordion>
            </Paper>
          </Tabs.Panel>
          <Tabs.Panel value="permissions" pt="md">
            <Paper withBorder radius="md" p="md">
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="xs" striped aria-label="Permission catalogue">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Permission</Table.Th>
                      <Table.Th>Scope</Table.Th>
                      <Table.Th>Source</Table.Th>
                      <Table.Th>Description</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.data.perms.map((p) => (
                      <Table.Tr key={p.key}>
                        <Table.Td ff="monospace">{p.key}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color={p.scope === 'system' ? 'grape' : 'blue'} tt="none">
                            {p.scope}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{p.source}</Table.Td>
                        <Table.Td>{p.description}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
          </Tabs.Panel>
        </Tabs>
      )}
    </Page>
  );
}
