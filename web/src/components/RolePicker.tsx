import { Badge, Checkbox, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Role } from '../api/types';

const CATEGORY_COLOR: Record<string, string> = { administration: 'red', operation: 'grape', business: 'blue' };
const CATEGORY_LABEL: Record<string, string> = {
  administration: 'Administration',
  operation: 'Operation',
  business: 'Business',
};

export function RoleBadge({ role, roles }: { role: string; roles: Role[] }) {
  const r = roles.find((x) => x.key === role);
  return (
    <Badge variant="light" color={CATEGORY_COLOR[r?.category ?? ''] ?? 'gray'} tt="none">
      {r?.name ?? role}
    </Badge>
  );
}

export function RoleBadges({ keys, roles }: { keys: string[]; roles: Role[] }) {
  if (keys.length === 0)
    return (
      <Text size="sm" c="dimmed">
        no roles
      </Text>
    );
  return (
    <Group gap={4}>
      {keys.map((k) => (
        <RoleBadge key={k} role={k} roles={roles} />
      ))}
    </Group>
  );
}

/** R3: operation roles only for users whose home is the root provider; elsewhere not offered. */
export const grantableFor = (roles: Role[], homeKind: string | undefined): Role[] =>
  homeKind === 'provider' ? roles : roles.filter((r) => r.category !== 'operation');

/** Roles grouped by category; every checkbox is labelled with the role's name and purpose. */
export function RolePicker({
  roles,
  value,
  onChange,
  label = 'Roles',
}: {
  roles: Role[];
  value: string[];
  onChange(v: string[]): void;
  label?: string;
}) {
  const categories = ['administration', 'operation', 'business'].filter((c) => roles.some((r) => r.category === c));
  return (
    <Checkbox.Group label={label} value={value} onChange={onChange}>
      <Stack gap="sm" mt="xs">
        {categories.map((c) => (
          <div key={c}>
            <Text size="xs" fw={600} c="dimmed" tt="uppercase" mb={4}>
              {CATEGORY_LABEL[c]}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
              {roles
                .filter((r) => r.category === c)
                .map((r) => (
                  <Checkbox key={r.key} value={r.key} label={r.name} description={r.description} />
                ))}
            </SimpleGrid>
          </div>
        ))}
      </Stack>
    </Checkbox.Group>
  );
}
