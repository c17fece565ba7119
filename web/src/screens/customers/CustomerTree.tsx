import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Tenant } from '../../api/types';
import { StateBadge } from '../../components/StateBadge';
import { KindBadge } from './Customers';
import { countBelow } from './tree';

/** One tenant of the tree below a customer; its own customers open and close with a button. */
function Node({ t, tree }: { t: Tenant; tree: Map<string, Tenant[]> }) {
  const [open, setOpen] = useState(false);
  const below = tree.get(t.id) ?? [];
  const total = countBelow(tree, t.id);
  return (
    <li>
      <Group gap="xs" wrap="wrap" py={4}>
        <Text size="sm" fw={500}>
          {t.name}
        </Text>
        <KindBadge kind={t.kind} />
        <StateBadge state={t.status} />
        {below.length > 0 && (
          <Button
            size="compact-xs"
            variant="subtle"
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
            aria-label={`${open ? 'Hide' : 'Show'} the ${total} ${total === 1 ? 'customer' : 'customers'} of ${t.name}`}
          >
            {open ? '▾' : '▸'} {total} below
          </Button>
        )}
      </Group>
      {open && below.length > 0 && <Branch items={below} tree={tree} />}
    </li>
  );
}

function Branch({ items, tree }: { items: Tenant[]; tree: Map<string, Tenant[]> }) {
  return (
    <ul style={{ listStyle: 'none', margin: 0, paddingLeft: 20 }}>
      {items.map((t) => (
        <Node key={t.id} t={t} tree={tree} />
      ))}
    </ul>
  );
}

/**
 * The customer's own customers, and theirs in turn: read-only here, since each is managed by its
 * own supplier. Counts say how many tenants each branch holds before it is opened.
 */
export function CustomerTree({ customer, tree }: { customer: Tenant; tree: Map<string, Tenant[]> }) {
  const direct = tree.get(customer.id) ?? [];
  const total = countBelow(tree, customer.id);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Its customers
        </Title>
        {direct.length === 0 ? (
          <Text size="sm" c="dimmed">
            {customer.name} has no customers of its own.
          </Text>
        ) : (
          <>
            <Text size="sm" c="dimmed">
              {`${direct.length} direct, ${total} in all. ${customer.name} manages them; they are read-only here.`}
            </Text>
            <nav aria-label={`Customers of ${customer.name}`}>
              <Branch items={direct} tree={tree} />
            </nav>
          </>
        )}
      </Stack>
    </Paper>
  );
}
