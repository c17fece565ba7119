import { Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { go } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { WebhookSecret } from './WebhookSecret';
import { STATE_COLORS } from './Webhooks';

const STATUS_COLORS: Record<string, string> = {
  delivered: 'green',
  pending: 'blue',
  failing: 'orange',
  given_up: 'red',
};

/** One subscription: its delivery log, a test event, redelivery, rotation, disabling, removal. */
export function WebhookDetail({ id: webhookId }: { id: string }) {
  const me = useMe();
  const id = me.actingTenant.id;
  const path = { params: { path: { id, webhookId } } };
  const loaded = useLoad(async () => must(api.GET('/api/v1/tenants/{id}/webhooks/{webhookId}', path)), [id, webhookId]);
  const log = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/webhooks/{webhookId}/deliveries', path))).items,
    [id, webhookId],
  );
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();
  const s = loaded.data;

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
      loaded.reload();
      log.reload();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(undefined);
  };
  if (!s) return loaded.error ? <ProblemAlert error={loaded.error} /> : <Loading label="Loading the webhook" />;
  const enabled = s.state !== 'disabled';

  return (
    <Page title="Webhook" description={s.url}>
      <ProblemAlert error={error ?? log.error} onClose={error ? () => setError(undefined) : undefined} />
      {secret && <WebhookSecret secret={secret} onClose={() => setSecret(undefined)} />}
      <Paper withBorder p="md" radius="md">
        <Stack gap="xs">
          <Group>
            <Badge color={STATE_COLORS[s.state] ?? 'gray'} variant="light">
              {s.state}
            </Badge>
            <Text size="sm">Events: {s.eventTypes?.join(', ') || 'all'}</Text>
            <Text size="sm">Scope: {s.scope}</Text>
          </Group>
          {s.previousValidUntil && new Date(s.previousValidUntil) > new Date() && (
            <Text size="sm" c="dimmed">
              The previous secret signs too until {new Date(s.previousValidUntil).toLocaleString()}.
            </Text>
          )}
          <Group>
            <Button
              variant="light"
              loading={busy === 'test'}
              onClick={() =>
                run('test', async () => {
                  await must(api.POST('/api/v1/tenants/{id}/webhooks/{webhookId}/test', path));
                })
              }
            >
              Send a test event
            </Button>
            <Button
              variant="light"
              loading={busy === 'rotate'}
              onClick={() =>
                run('rotate', async () => {
                  const r = await must(
                    api.POST('/api/v1/tenants/{id}/webhooks/{webhookId}/secret', { ...path, body: {} }),
                  );
                  setSecret(r.secret);
                })
              }
            >
              Rotate secret
            </Button>
            <Button
              variant="light"
              color={enabled ? 'gray' : 'green'}
              loading={busy === 'state'}
              onClick={() =>
                run('state', async () => {
                  await must(
                    api.PATCH('/api/v1/tenants/{id}/webhooks/{webhookId}', {
                      ...path,
                      body: { state: enabled ? 'disabled' : 'active' },
                    }),
                  );
                })
              }
            >
              {enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button
              variant="light"
              color="red"
              loading={busy === 'delete'}
              onClick={() =>
                run('delete', async () => {
                  await must(api.DELETE('/api/v1/tenants/{id}/webhooks/{webhookId}', path));
                  go('webhooks');
                })
              }
            >
              Remove
            </Button>
          </Group>
        </Stack>
      </Paper>
      <Title order={2} size="h4">
        Delivery log
      </Title>
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label="Deliveries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last answer</Table.Th>
                <Table.Th>Latency</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(log.data ?? []).map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Code>{d.type}</Code> #{d.eventSeq}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLORS[d.status] ?? 'gray'} variant="light">
                      {d.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td>{d.lastError ?? d.lastStatus ?? '—'}</Table.Td>
                  <Table.Td>{d.lastLatencyMs === null ? '—' : `${d.lastLatencyMs} ms`}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      loading={busy === d.id}
                      onClick={() =>
                        run(d.id, async () => {
                          await must(
                            api.POST('/api/v1/tenants/{id}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver', {
                              params: { path: { id, webhookId, deliveryId: d.id } },
                            }),
                          );
                        })
                      }
                    >
                      Redeliver
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Page>
  );
}
