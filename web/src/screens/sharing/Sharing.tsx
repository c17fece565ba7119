import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { ShareItem, Warning } from '../../api/types';
import { useRoles } from '../../catalogue';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { RoleBadges } from '../../components/RolePicker';
import { Warnings } from '../../components/Warnings';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { ReleaseShare } from './ReleaseShare';

const STATUS_COLOR: Record<string, string> = { offered: 'yellow', active: 'green', ended: 'gray' };

/** The tenant on the other side of a share, by name and slug. */
function TenantName({ t }: { t: { name: string; slug: string } }) {
  return (
    <>
      <Text size="sm" fw={500}>
        {t.name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {t.slug}
      </Text>
    </>
  );
}

export function Sharing() {
  const me = useMe();
  const roles = useRoles();
  const acting = me.actingTenant;
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [imported, setImported] = useState<Warning[]>();
  const shares = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/shares', { params: { path: { id: acting.id } } }))).items,
    [acting.id],
  );
  const all = shares.data ?? [];
  const offers = all.filter((s) => s.direction === 'incoming' && s.status === 'offered');
  const current = all.filter((s) => !(s.direction === 'incoming' && s.status === 'offered') && s.status !== 'ended');
  const ended = all.filter((s) => s.status === 'ended');

  const act = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setError(undefined);
    try {
      await fn();
      shares.reload();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };
  const accept = (s: ShareItem) =>
    act(`accept-${s.id}`, async () => {
      const res = await must(api.POST('/api/v1/shares/{id}/accept', { params: { path: { id: s.id } } }));
      setImported(res.warnings);
    });
  const end = (s: ShareItem, key: string) =>
    act(`${key}-${s.id}`, async () => {
      await must(api.DELETE('/api/v1/shares/{id}', { params: { path: { id: s.id } } }));
    });

  return (
    <Page title="Sharing" description="Users released between tenants: offers waiting for you, and shares in force.">
      <ProblemAlert error={error ?? shares.error} onClose={error ? () => setError(undefined) : undefined} />
      {imported && <Warnings warnings={imported} when="after" title="Imported, with an advisory" />}
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Title order={2} size="h4">
            Incoming offers
          </Title>
          {shares.loading && !shares.data ? (
            <Loading label="Loading shares" />
          ) : offers.length === 0 ? (
            <Empty title="No offers waiting">
              When another tenant releases one of its users to {acting.name}, the offer appears here with the roles it
              brings.
            </Empty>
          ) : (
            <Table verticalSpacing="sm" aria-label="Incoming offers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>From</Table.Th>
                  <Table.Th>Roles it brings</Table.Th>
                  <Table.Th>Offered</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {offers.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Text fw={500}>{s.displayName}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {s.loginName} · {s.userType}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <TenantName t={s.otherTenant} />
                    </Table.Td>
                    <Table.Td>
                      <RoleBadges keys={s.roles} roles={roles} />
                    </Table.Td>
                    <Table.Td>{new Date(String(s.createdAt)).toLocaleString()}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button size="xs" loading={busy === `accept-${s.id}`} onClick={() => void accept(s)}>
                          Import {s.loginName}
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          loading={busy === `decline-${s.id}`}
                          onClick={() => void end(s, 'decline')}
                        >
                          Decline
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Title order={2} size="h4">
            Shares
          </Title>
          {current.length === 0 ? (
            <Empty title="No shares in force">
              Release a user below; users you import from other tenants show here too.
            </Empty>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="sm" aria-label="Shares">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Direction</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Roles</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {current.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Text fw={500}>{s.displayName}</Text>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {s.loginName}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{s.direction === 'outgoing' ? 'released to' : 'imported from'}</Text>
                        <TenantName t={s.otherTenant} />
                      </Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOR[s.status] ?? 'gray'} variant="light" tt="none">
                          {s.status === 'offered' ? 'waiting for import' : s.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {/* Here the user acts with at most what this tenant accepted (decision 0007). */}
                        <RoleBadges
                          keys={s.direction === 'incoming' && s.acceptedRoles ? s.acceptedRoles : s.roles}
                          roles={roles}
                        />
                      </Table.Td>
                      <Table.Td ta="right">
                        <Button
                          size="xs"
                          variant="light"
                          color="red"
                          loading={busy === `end-${s.id}`}
                          onClick={() => void end(s, 'end')}
                        >
                          End share
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {ended.length > 0 && (
            <Text size="sm" c="dimmed">
              {ended.length} ended share(s) are kept in the activity log.
            </Text>
          )}
        </Stack>
      </Paper>
      <ReleaseShare roles={roles} onReleased={shares.reload} />
    </Page>
  );
}
