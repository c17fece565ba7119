import { Badge, Group, Select, Text } from '@mantine/core';
import { useState } from 'react';
import type { ApiError } from '../api/client';
import type { MeTenant } from '../api/types';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe, useSession } from '../session';

const GROUPS: [MeTenant['relation'], string][] = [
  ['home', 'Home tenant'],
  ['shared', 'Imported shares'],
  ['sso', 'Linked by single sign-on'],
];

/** Where the signed-in person acts: the home tenant, tenants that imported her, SSO-linked ones. */
export function TenantSwitcher() {
  const me = useMe();
  const { switchTenant } = useSession();
  const [error, setError] = useState<ApiError>();
  const data = GROUPS.map(([relation, group]) => ({
    group,
    items: me.tenants
      .filter((t) => t.relation === relation)
      .map((t) => ({ value: t.id, label: `${t.name} (${t.kind})` })),
  })).filter((g) => g.items.length > 0);

  const onChange = async (id: string | null) => {
    const t = me.tenants.find((x) => x.id === id);
    if (!t || t.id === me.actingTenant.id) return;
    setError(undefined);
    try {
      await switchTenant(t);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  if (me.tenants.length < 2) {
    return (
      <Group gap={6} wrap="nowrap" aria-label="Acting for tenant">
        <Text fw={500} size="sm" truncate maw={220}>
          {me.actingTenant.name}
        </Text>
        <Badge variant="light" color="gray" tt="none" size="sm">
          {me.actingTenant.kind}
        </Badge>
      </Group>
    );
  }
  return (
    <>
      <Select
        aria-label="Acting for tenant"
        data={data}
        value={me.actingTenant.id}
        onChange={(v) => void onChange(v)}
        allowDeselect={false}
        w={{ base: 180, sm: 280 }}
        size="sm"
        comboboxProps={{ withinPortal: true }}
      />
      {error && (
        <div style={{ position: 'fixed', top: 64, right: 16, zIndex: 300, maxWidth: 420 }}>
          <ProblemAlert error={error} onClose={() => setError(undefined)} />
        </div>
      )}
    </>
  );
}
