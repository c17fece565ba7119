import { Anchor, Button, Grid, Group, Modal, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError, api, must } from '../../api/client';
import type { AuditEvent, Tenant } from '../../api/types';
import { useRoles } from '../../catalogue';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StateBadge } from '../../components/StateBadge';
import { go, href } from '../../nav';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';
import { summary, useNames } from '../activity/names';
import { CustomerPrimary } from './CustomerPrimary';
import { KindBadge } from './Customers';
import { CustomerTree } from './CustomerTree';
import { childrenOf, countBelow, selfAndBelow, wholeSubtree } from './tree';

/** Kinds that may have customers: a move target must be one of them. */
const SUPPLIERS = new Set(['provider', 'reseller']);

/**
 * A direct customer: details, its primary user, the tree below it, suspend/resume, move and
 * delete, and what the acting tenant's log says about it.
 */
export function CustomerDetail({ id }: { id: string }) {
  const me = useMe();
  const { can } = useSession();
  const roles = useRoles();
  const acting = me.actingTenant;
  const customer = useLoad(() => must(api.GET('/api/v1/tenants/{id}', { params: { path: { id } } })), [id, acting.id]);
  const subtree = useLoad(() => wholeSubtree(acting.id), [acting.id, customer.data?.version]);
  const primary = useLoad(async () => {
    try {
      return await must(api.GET('/api/v1/tenants/{id}/primary-user', { params: { path: { id } } }));
    } catch (e) {
      // The customer itself is loaded above; a not-found here means it has no primary user.
      if (e instanceof ApiError && e.code === 'resource.not_found') return null;
      throw e;
    }
  }, [id, acting.id]);
  // Work inside the customer is logged there; the acting tenant's log holds a reference to it
  // (issue 14 #8) and its own events about the customer: that is what the viewer may read.
  const audit = useLoad(async (): Promise<AuditEvent[]> => {
    if (!can('audit.read')) return [];
    const read = (query: { target: string } | { action: string }) =>
      must(
        api.GET('/api/v1/tenants/{id}/audit', { params: { path: { id: acting.id }, query: { ...query, limit: 200 } } }),
      ).then((r) => r.items);
    const [about, references] = await Promise.all([read({ target: id }), read({ action: 'reference' })]);
    return [...about, ...references.filter((e) => e.details.tenantId === id)].sort((a, b) => b.seq - a.seq);
  }, [id, acting.id, customer.data?.version, primary.data?.version]);
  const names = useNames();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [moving, setMoving] = useState(false);
  const [target, setTarget] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  const back = (
    <Anchor href={href('customers')} size="sm">
      ← All customers
    </Anchor>
  );
  const t = customer.data;
  if (!t)
    return (
      <Stack>
        {back}
        {customer.error ? <ProblemAlert error={customer.error} /> : <Loading label="Loading customer" />}
      </Stack>
    );

  const tree = childrenOf(subtree.data ?? []);
  const below = countBelow(tree, t.id);
  const excluded = selfAndBelow(tree, t.id);
  const parents: Tenant[] = [acting as unknown as Tenant, ...(subtree.data ?? [])].filter(
    (p) => SUPPLIERS.has(p.kind) && !excluded.has(p.id) && p.id !== t.parentId,
  );

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };
  const setStatus = (status: 'active' | 'suspended') =>
    run(status, async () => {
      await must(
        api.PATCH('/api/v1/tenants/{id}', {
          params: { path: { id: t.id } },
          body: { status },
          headers: { 'if-match': `"${t.version}"` },
        }),
      );
      customer.reload();
    });
  const move = () =>
    run('move', async () => {
      if (!target) return;
      await must(api.POST('/api/v1/tenants/{id}/move', { params: { path: { id: t.id } }, body: { parentId: target } }));
      setMoving(false);
      // Below another reseller it is no longer a direct customer: its page is that supplier's.
      if (target === acting.id) customer.reload();
      else go('customers');
    });
  const remove = () =>
    run('delete', async () => {
      await must(api.DELETE('/api/v1/tenants/{id}', { params: { path: { id: t.id } } }));
      setDeleting(false);
      go('customers');
    });

  return (
    <Stack gap="xs">
      {back}
      <Page
        title={t.name}
        description={
          <Group gap="xs" component="span">
            <KindBadge kind={t.kind} />
            <StateBadge state={t.status} />
            <Text span size="sm" ff="monospace">
              {t.slug}
            </Text>
            <Text span size="sm" c="dimmed">
              · customer of {acting.name} since {new Date(t.createdAt).toLocaleDateString()}
            </Text>
          </Group>
        }
        actions={
          <Group gap="xs">
            {can('customers.suspend') &&
              (t.status === 'suspended' ? (
                <Button variant="default" loading={busy === 'active'} onClick={() => void setStatus('active')}>
                  Resume
                </Button>
              ) : (
                <Button
                  variant="light"
                  color="red"
                  loading={busy === 'suspended'}
                  onClick={() => void setStatus('suspended')}
                >
                  Suspend
                </Button>
              ))}
            {can('customers.move') && (
              <Button variant="default" onClick={() => setMoving(true)}>
                Move
              </Button>
            )}
            {can('customers.delete') && (
              <Button variant="light" color="red" onClick={() => setDeleting(true)} aria-label={`Delete ${t.name}`}>
                Delete
              </Button>
            )}
          </Group>
        }
      >
        <ProblemAlert error={error ?? subtree.error} onClose={error ? () => setError(undefined) : undefined} />
        <Grid>
          <Grid.Col span={{ base: 12, md: 7 }}>
            <CustomerPrimary
              customer={t}
              roles={roles}
              primary={primary.data ?? undefined}
              missing={primary.data === null}
              error={primary.error}
              onChanged={primary.reload}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack>
              {subtree.data ? <CustomerTree customer={t} tree={tree} /> : <Loading label="Loading its customers" />}
              <Activity
                events={audit.data}
                error={audit.error}
                name={(x) => names.of(x)}
                summarise={(e) => summary(e, names)}
              />
            </Stack>
          </Grid.Col>
        </Grid>
      </Page>
      {moving && (
        <Modal opened onClose={() => setMoving(false)} title={`Move ${t.name}`}>
          <Stack>
            <Text size="sm">
              Its customers move with it. Below another reseller it becomes that reseller's customer, managed from
              there.
            </Text>
            <Select
              label="New supplier"
              data={parents.map((p) => ({ value: p.id, label: p.id === acting.id ? `${p.name} (you)` : p.name }))}
              value={target}
              onChange={setTarget}
              searchable
              nothingFoundMessage="No other reseller in your tree"
            />
            <ProblemAlert error={error} onClose={() => setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setMoving(false)}>
                Cancel
              </Button>
              <Button disabled={!target} loading={busy === 'move'} onClick={() => void move()}>
                Move customer
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
      {deleting && (
        <Modal opened onClose={() => setDeleting(false)} title={`Delete ${t.name}`}>
          <Stack>
            {below > 0 ? (
              <Text size="sm">
                {`${t.name} still has ${below} ${below === 1 ? 'customer' : 'customers'} below it. Move or delete them first.`}
              </Text>
            ) : (
              <Text size="sm">
                This removes {t.name} with its users, companies and fields, and ends its shares. It cannot be undone.
              </Text>
            )}
            <ProblemAlert error={error} onClose={() => setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(false)}>
                Cancel
              </Button>
              <Button color="red" disabled={below > 0} loading={busy === 'delete'} onClick={() => void remove()}>
                Delete customer
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Stack>
  );
}

/** The acting tenant's log about this customer and its primary user (audit.read). */
function Activity({
  events,
  error,
  name,
  summarise,
}: {
  events: AuditEvent[] | undefined;
  error: ApiError | undefined;
  name(id: string | null): string | undefined;
  summarise(e: AuditEvent): string;
}) {
  const { can } = useSession();
  if (!can('audit.read')) return null;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Activity
        </Title>
        <ProblemAlert error={error} />
        {!events ? (
          <Loading label="Loading activity" />
        ) : events.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing in your log about this customer yet.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={360}>
            <Table aria-label="Activity about this customer" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Who</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>
                      <Text size="xs">{new Date(e.at).toLocaleString()}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {e.action === 'reference' ? String(e.details.action ?? e.action) : e.action}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {summarise(e)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">
                        {e.actorUserId ? (name(e.actorUserId) ?? `${e.actorUserId.slice(0, 8)}…`) : 'system'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
