import { Alert, Button, SimpleGrid, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { ChainReport, PurgeReport, SystemStatus } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { age, Section } from './parts';

/** The background jobs, and the purge for those holding system.jobs.manage. */
export function Jobs({ s, canRun, onRan }: { s: SystemStatus; canRun: boolean; onRan(): void }) {
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
export function AuditChains() {
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

/**
 * New signing keys for the OpenID Provider (what `kontor keys rotate` does). The retired keys stay
 * published until every token they signed has expired, so no app's token breaks.
 */
export function RotateKeys({ onRan }: { onRan(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState<{ added: string[]; publishUntil: string }>();
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDone(await must(api.POST('/api/v1/system/keys/rotate')));
      onRan();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
  };
  return (
    <Section
      title="Signing keys"
      actions={
        <Button variant="light" onClick={() => void rotate()} loading={busy}>
          Rotate signing keys
        </Button>
      }
    >
      <Text size="sm" c="dimmed">
        New keys sign from now on; the old ones stay published until every token they signed has expired.
      </Text>
      <ProblemAlert error={error} onClose={() => setError(undefined)} />
      {done && (
        <Alert color="green" variant="light" role="status" title="Keys rotated">
          {done.added.length} new keys sign now; the retired ones stay published until{' '}
          {new Date(done.publishUntil).toLocaleString()}.
        </Alert>
      )}
    </Section>
  );
}
