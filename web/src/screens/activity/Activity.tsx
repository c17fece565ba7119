import {
  Autocomplete,
  Button,
  Code,
  Group,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { AuditEvent } from '../../api/types';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { ACTION_GROUPS } from './actions';
import { auditCsv, download } from './csv';
import { summary, useNames } from './names';

const PAGE = 50;
const EXPORT_MAX = 10_000;

interface Filter {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
}

// Days in the browser's time zone: `from` at its first moment, `to` at its last.
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

export function Activity() {
  const me = useMe();
  const tenantId = me.actingTenant.id;
  const [actor, setActor] = useState<string | null>(null);
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [filter, setFilter] = useState<Filter>({});
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [exporting, setExporting] = useState<number>();
  const [error, setError] = useState<ApiError>();

  const names = useNames();
  const name = (id: string | null) => (id ? (names.of(id) ?? `${id.slice(0, 8)}…`) : 'system');
  const fetchPage = (f: Filter, c?: string, limit = PAGE) =>
    must(
      api.GET('/api/v1/tenants/{id}/audit', {
        params: { path: { id: tenantId }, query: { ...f, limit, ...(c ? { cursor: c } : {}) } },
      }),
    );
  const first = useLoad(async () => {
    const p = await fetchPage(filter);
    setMore([]);
    setCursor(p.nextCursor);
    return p.items;
  }, [tenantId, filter]);
  const events = [...(first.data ?? []), ...more];

  const apply = () =>
    setFilter({
      ...(actor ? { actor } : {}),
      ...(action.trim() ? { action: action.trim() } : {}),
      ...(target.trim() ? { target: target.trim() } : {}),
      ...(from ? { from: dayStart(from) } : {}),
      ...(to ? { to: dayEnd(to) } : {}),
    });
  const loadMore = async () => {
    if (!cursor) return;
    try {
      const p = await fetchPage(filter, cursor);
      setMore((m) => [...m, ...p.items]);
      setCursor(p.nextCursor);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  // Every matching event, page by page, with progress: a long log takes a while.
  const exportCsv = async () => {
    setError(undefined);
    setExporting(0);
    try {
      const all: AuditEvent[] = [];
      let c: string | undefined;
      do {
        const p = await fetchPage(filter, c, 500);
        all.push(...p.items);
        setExporting(all.length);
        c = p.nextCursor ?? undefined;
      } while (c && all.length < EXPORT_MAX);
      download(`activity-${me.actingTenant.slug}.csv`, auditCsv(all, name), 'text/csv;charset=utf-8');
    } catch (e) {
      setError(e as ApiError);
    }
    setExporting(undefined);
  };

  return (
    <Page
      title="Activity log"
      description="Every change and sign-in in this tenant, newest first. The log is append-only and hash-chained."
      actions={
        <Button variant="default" onClick={() => void exportCsv()} loading={exporting !== undefined}>
          Export CSV
        </Button>
      }
    >
      {exporting !== undefined && (
        <div>
          <Text size="sm">Exporting… {exporting} events so far</Text>
          <Progress value={100} animated striped aria-label="Export in progress" />
        </div>
      )}
      <Paper withBorder p="md" radius="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 6 }} style={{ alignItems: 'end' }}>
            <Select
              label="Actor"
              placeholder="Anyone"
              searchable
              clearable
              data={names.users.map((u) => ({ value: u.id, label: u.loginName }))}
              value={actor}
              onChange={setActor}
            />
            <Autocomplete
              label="Action"
              placeholder="e.g. user.created"
              data={ACTION_GROUPS.map((g) => ({ group: g.group, items: [...g.items] }))}
              value={action}
              onChange={setAction}
            />
            <TextInput
              label="Target"
              placeholder="Id of a user or share"
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
            />
            <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
            <Button type="submit">Filter</Button>
          </SimpleGrid>
        </form>
      </Paper>
      <ProblemAlert error={error ?? first.error} onClose={error ? () => setError(undefined) : undefined} />
      <Paper withBorder p="md" radius="md">
        {first.loading && !first.data ? (
          <Loading label="Loading activity" />
        ) : events.length === 0 ? (
          <Empty title="Nothing found">
            {Object.keys(filter).length > 0
              ? 'No event matches these filters; widen the time range or clear a filter.'
              : 'No events yet.'}
          </Empty>
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table verticalSpacing="xs" striped aria-label="Activity">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Details</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                        {new Date(String(e.at)).toLocaleString()}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{e.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      {e.actorUserId && !names.of(e.actorUserId) ? (
                        <Text size="sm" c="dimmed" title={e.actorUserId}>
                          other tenant's user
                        </Text>
                      ) : (
                        <Text size="sm">{name(e.actorUserId)}</Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {e.targetType}
                        {e.targetId && (
                          <Text span size="xs" c="dimmed" title={e.targetId}>
                            {' '}
                            {names.of(e.targetId) ?? e.targetId.slice(0, 8)}
                          </Text>
                        )}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {summary(e, names)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {cursor && (
          <Group justify="center" mt="md">
            <Button variant="default" onClick={() => void loadMore()}>
              Load older events
            </Button>
          </Group>
        )}
      </Paper>
    </Page>
  );
}
