/** Building blocks of the Operations screen: sections, fact tables, state marks and ages. */
import { Badge, Group, Paper, Stack, Table, Title } from '@mantine/core';
import type { ReactNode } from 'react';

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

export function Mark({ state }: { state: string }) {
  return (
    <Badge color={GOOD[state] ?? 'gray'} variant="dot" tt="none" styles={{ label: { overflow: 'visible' } }}>
      {state.replace('_', ' ')}
    </Badge>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
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

export function Facts({ rows, label }: { rows: [string, ReactNode][]; label: string }) {
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

export const yesNo = (b: boolean | undefined) => <Mark state={b ? 'yes' : 'no'} />;
