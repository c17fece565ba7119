import { Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { api, must } from '../../api/client';
import type { ShareItem, UserView } from '../../api/types';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';

const STATUS_COLOR: Record<string, string> = { offered: 'yellow', active: 'green', ended: 'gray' };

/** This user's shares as the acting tenant sees them: to whom released, or from where imported. */
export function useUserShares(userId: string) {
  const me = useMe();
  const { can } = useSession();
  const allowed = can('shares.manage');
  const shares = useLoad(async () => {
    if (!allowed) return [] as ShareItem[];
    const res = await must(api.GET('/api/v1/tenants/{id}/shares', { params: { path: { id: me.actingTenant.id } } }));
    return res.items.filter((s) => s.userId === userId);
  }, [userId, me.actingTenant.id, allowed]);
  return { allowed, shares };
}

type UserSharesLoad = ReturnType<typeof useUserShares>;

/**
 * "Shared from …" under the name of an imported user (issue 21 #3): the tenant it comes from.
 * Falls back to nothing for a viewer who may not read shares.
 */
export function SharedFrom({ user, shares }: { user: UserView; shares: UserSharesLoad }) {
  if (user.relation !== 'shared') return null;
  const from = shares.shares.data?.find((s) => s.direction === 'incoming' && s.status === 'active')?.otherTenant;
  if (!from) return null;
  return (
    <Text span size="sm">
      · shared from <b>{from.name}</b> ({from.slug})
    </Text>
  );
}

/** The card on the user page that lists the user's shares, with the tenant on the other side. */
export function UserShares({ shares: { allowed, shares } }: { shares: UserSharesLoad }) {
  if (!allowed) return null;
  const items = shares.data ?? [];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Shares
        </Title>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {shares.loading ? 'Loading shares…' : 'Not shared with any other tenant.'}
          </Text>
        ) : (
          <Table aria-label="Shares of this user">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>Direction</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {s.otherTenant.name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {s.otherTenant.slug}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.direction === 'outgoing' ? 'released to' : 'imported from'}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[s.status] ?? 'gray'} variant="light" tt="none">
                      {s.status}
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
