import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { ChainReport, PurgeReport, SystemStatus } from '../../api/types';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';

/** "12 s", "5 min", "3 h", "2 d": ages at a glance; the exact time is in the tooltip. */
export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

const GOOD: Record<string, string> = {
  live: 'green',
  ready: 'green',
  current: 'green',
  ok: 'green',
  yes: 'green',
  active: 'green',
  published: 'blue',
  silent: 'orange',
  not_ready: 'red',
  pending: 'orange',
  unknown: 'gray',
  broken: 'red',
  no: 'red',
  retired: 'gray',
};

function Mark({ state }: { state: string }) {
  return (
    <Badge color={GOOD[state] ?? 'gray'} variant="dot" tt="none" styles={{ label: { overflow: 'visible' } }}>
      {state.replace('_', ' ')}
    </Badge>
  );
}

function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">
            {title}
          </Title>
          {actions}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

function Facts({ rows, label }: { rows: [string, ReactNode][]; label: string }) {
  return (
    <Table verticalSpacing={4} aria-label={label}>
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w="40%" fw={500}>
              {k}
            </Table.Th>
            <Table.Td>{v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const yesNo = (b: boolean | undefined) => <Mark state={b ? 'yes' : 'no'} />;

/**
 * Operations (issue 19 #3), for users holding system.health.read: the instances, the database,
 * migrations, background jobs and key ages, with the purge and the audit chain check for those
 * holding system.jobs.manage. Counts and states only: the API sends no tenant, user or name.
 */
export function Operations() {
  const { can } = useSession();
  const status = useLoad(async () => must(api.GET('/api/v1/system/status')), []);
  const s = status.data;
  return (
    <Page
      title="Operations"
      description="This installation's health: instances, database, migrations, background jobs and key ages. No customer data."
      actions={
        <Button variant="default" onClick={status.reload} loading={status.loading && s !== undefined}>
          Refresh
        </Button>
      }
    >
      <ProblemAlert error={status.error} />
      {!s ? (
        status.loading && <Loading label="Reading the status" />
      ) : (
        <>
          <Instances s={s} />
          <SimpleGrid cols={{ base: 1, lg: 3 }}>
            <Database s={s} />
            <Migrations s={s} />
            <Keys s={s} />
          </SimpleGrid>
          <Jobs s={s} canRun={can('system.jobs.manage')} onRan={status.reload} />
          {can('system.jobs.manage') && <AuditChains />}
        </>
      )}
    </Page>
  );
}

function Instances({ s }: { s: SystemStatus }) {
  const list = s.instances;
  return (
    <Section title="Instances">
      {!list ? (
        <Text size="sm">Unknown: the database could not be read.</Text>
      ) : (
        <>
          <Text size="sm">
            {list.live} live, {list.silent} silent (no heartbeat for {age(s.instance.silentAfterSeconds)})
          </Text>
          <Table verticalSpacing="xs" aria-label="Instances">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Instance</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Readiness</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th>Up for</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td ff="monospace" title={i.id}>
                    {i.id.slice(0, 8)}
                    {i.self && (
                      <Badge ml="xs" size="xs" variant="light">
                        this one
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Mark state={i.state} />
                  </Table.Td>
                  <Table.Td>
                    <Mark state={i.readiness} />
                  </Table.Td>
                  <Table.Td>{i.version}</Table.Td>
                  <Table.Td title={i.lastSeenAt}>{age(i.lastSeenSecondsAgo)} ago</Table.Td>
                  <Table.Td title={i.startedAt}>
                    {age(Math.round((Date.parse(s.checkedAt) - Date.parse(i.startedAt)) / 1000))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Section>
  );
}

function Database({ s }: { s: SystemStatus }) {
  const rows: [string, ReactNode][] = [
    ['Engine', s.database.dialect === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded)'],
    ['Reachable', yesNo(s.database.reachable)],
    ['Accepts writes', yesNo(s.database.writable)],
  ];
  if (s.pool) rows.push(['Pool', `${s.pool.total} open, ${s.pool.idle} idle, ${s.pool.waiting} waiting`]);
  rows.push([
    'Read replica',
    s.replica.configured ? (
      <Group key="replica" gap="xs">
        {yesNo(s.replica.reachable)}
        <Text size="sm">
          {s.replica.reads} reads, {s.replica.fallbacks} passed to the primary
        </Text>
      </Group>
    ) : (
      'none configured'
    ),
  ]);
  return (
    <Section title="Database">
      <Facts rows={rows} label="Database" />
    </Section>
  );
}

function Migrations({ s }: { s: SystemStatus }) {
  const m = s.migrations;
  return (
    <Section title="Migrations">
      <Facts
        label="Migrations"
        rows={[
          ['Level', <Mark key="state" state={m.state} />],
          ['Applied', m.applied === null ? '—' : `${m.applied} of ${m.known} this version knows`],
          ['Pending', m.pending.length === 0 ? 'none' : m.pending.join(', ')],
          ['Applied by a newer version', m.unknown.length === 0 ? 'none' : m.unknown.join(', ')],
        ]}
      />
    </Section>
  );
}

function Keys({ s }: { s: SystemStatus }) {
  const k = s.keys;
  const secret = (x: SystemStatus['keys']['appSecrets']) =>
    !x ? '—' : x.count === 0 ? 'none' : `${x.count}, oldest changed ${age(x.oldestChangeSeconds)} ago`;
  return (
    <Section title="Keys and secrets">
      <Facts
        label="Keys and secrets"
        rows={[
          [
            'Sealing key',
            k.sealingKey === 'config'
              ? 'KONTOR_SECRET_KEY'
              : k.sealingKey === 'data-dir'
                ? 'data directory file'
                : 'ephemeral (lost on restart)',
          ],
          [
            'Signing keys',
            !k.signing || k.signing.length === 0 ? (
              'none yet'
            ) : (
              <Stack key="signing" gap={2}>
                {k.signing.map((key) => (
                  // No kid in the answer on purpose: alg, state and age tell the keys apart.
                  <Group key={`${key.alg}-${key.state}-${key.ageSeconds}`} gap={6} wrap="nowrap">
                    <Text size="sm">{key.alg}</Text>
                    <Mark state={key.state} />
                    <Text size="sm">{age(key.ageSeconds)}</Text>
                  </Group>
                ))}
              </Stack>
            ),
          ],
          ['App client secrets', secret(k.appSecrets)],
          ['SSO client secrets', secret(k.ssoSecrets)],
        ]}
      />
    </Section>
  );
}

function Jobs({ s, canRun, onRan }: { s: SystemStatus; canRun: boolean; onRan(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [ran, setRan] = useState<PurgeReport>();
  const purge = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setRan(await must(api.POST('/api/v1/system/purge')));
      onRan();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
  };
  const removed = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'nothing';
  return (
    <Section
      title="Background jobs"
      actions={
        canRun && (
          <Button variant="light" onClick={() => void purge()} loading={busy}>
            Run purge
          </Button>
        )
      }
    >
      <ProblemAlert error={error} onClose={() => setError(undefined)} />
      {ran && (
        <Alert color="green" variant="light" title="Purge done" withCloseButton onClose={() => setRan(undefined)}>
          Removed {removed(ran.purged)}.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <div>
          <Text fw={500} size="sm">
            Purge
          </Text>
          <Text size="sm">
            {s.lastPurge
              ? `Last run ${age(s.lastPurge.secondsAgo)} ago; removed ${removed(s.lastPurge.removed)}`
              : 'Not run yet'}
          </Text>
        </div>
        <div>
          <Text fw={500} size="sm">
            Outbox
          </Text>
          {!s.outbox || s.outbox.length === 0 ? (
            <Text size="sm">{s.outbox ? 'Empty' : '—'}</Text>
          ) : (
            <Table verticalSpacing={4} aria-label="Outbox">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Topic</Table.Th>
                  <Table.Th>Pending</Table.Th>
                  <Table.Th>Oldest</Table.Th>
                  <Table.Th>Given up</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.outbox.map((o) => (
                  <Table.Tr key={o.topic}>
                    <Table.Td>{o.topic}</Table.Td>
                    <Table.Td>{o.pending}</Table.Td>
                    <Table.Td>{age(o.oldestPendingSeconds)}</Table.Td>
                    <Table.Td>{o.givenUp}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </div>
        <div>
          <Text fw={500} size="sm">
            Import jobs
          </Text>
          <Text size="sm">
            {!s.imports
              ? '—'
              : s.imports.length === 0
                ? 'None'
                : s.imports.map((i) => `${i.jobs} ${i.status}`).join(', ')}
          </Text>
        </div>
      </SimpleGrid>
    </Section>
  );
}

/** Recomputes every tenant's audit chain on demand; the answer names tenants by id only. */
function AuditChains() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [report, setReport] = useState<ChainReport>();
  const verify = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await must(api.POST('/api/v1/system/audit-verify')));
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
  };
  const broken = report?.tenants.filter((t) => t.status === 'broken') ?? [];
  return (
    <Section
      title="Audit chains"
      actions={
        <Button variant="light" onClick={() => void verify()} loading={busy}>
          Verify audit chains
        </Button>
      }
    >
      <Text size="sm" c="dimmed">
        Recomputes every tenant's hash chain of the activity log; a changed, unlinked or missing event breaks it.
      </Text>
      <ProblemAlert error={error} onClose={() => setError(undefined)} />
      {report && (
        <Alert
          color={report.broken === 0 ? 'green' : 'red'}
          variant="light"
          role="status"
          title={
            report.broken === 0
              ? `All ${report.tenants.length} chains intact`
              : `${report.broken} of ${report.tenants.length} chains broken`
          }
        >
          {report.tenants.reduce((n, t) => n + t.events, 0)} events checked.
        </Alert>
      )}
      {broken.length > 0 && (
        <Table verticalSpacing="xs" aria-label="Broken chains">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tenant id</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>First broken event</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {broken.map((t) => (
              <Table.Tr key={t.tenantId}>
                <Table.Td ff="monospace">{t.tenantId}</Table.Td>
                <Table.Td>{t.events}</Table.Td>
                <Table.Td>#{t.brokenAtSeq}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}
