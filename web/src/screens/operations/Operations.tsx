import { Badge, Button, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { api, must } from '../../api/client';
import type { SystemStatus } from '../../api/types';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { AuditChains, Jobs, RotateKeys } from './OperationsTasks';
import { age, Facts, Mark, Section, yesNo } from './parts';

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
          {can('system.jobs.manage') && <RotateKeys onRan={status.reload} />}
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
