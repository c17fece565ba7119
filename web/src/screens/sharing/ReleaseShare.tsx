import { Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { predictShareAdvisories } from '../../advisories';
import { type ApiError, api, must } from '../../api/client';
import type { Role, Warning } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Warnings } from '../../components/Warnings';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';

/** Offer an own user to another tenant; that tenant's administrator imports it after seeing its roles. */
export function ReleaseShare({ roles, onReleased }: { roles: Role[]; onReleased(): void }) {
  const me = useMe();
  const { can } = useSession();
  const acting = me.actingTenant;
  const [userId, setUserId] = useState<string | null>(null);
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [after, setAfter] = useState<Warning[]>();
  const options = useLoad(async () => {
    const users = await must(
      api.GET('/api/v1/tenants/{id}/users', { params: { path: { id: acting.id }, query: { limit: 200 } } }),
    );
    // Direct customers are the usual targets; the API decides which tenants of the line are allowed.
    const children = can('customers.read')
      ? (await must(api.GET('/api/v1/tenants/{id}/children', { params: { path: { id: acting.id } } }))).items
      : [];
    return { users: users.items.filter((u) => u.relation === 'own'), tenants: children };
  }, [acting.id]);
  const user = options.data?.users.find((u) => u.id === userId);
  const before = user ? predictShareAdvisories(user, roles) : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!userId || !tenantId) return;
    setBusy(true);
    setError(undefined);
    setAfter(undefined);
    try {
      const res = await must(
        api.POST('/api/v1/users/{id}/shares', { params: { path: { id: userId } }, body: { tenantId } }),
      );
      setAfter(res.warnings);
      setUserId(null);
      setTenantId(null);
      onReleased();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  const tenants = options.data?.tenants ?? [];
  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit}>
        <Stack>
          <Title order={2} size="h4">
            Release a user
          </Title>
          <Text size="sm" c="dimmed">
            The user keeps its roles and acts in the other tenant once that tenant imports it. Either side can end the
            share at any time.
          </Text>
          <Group align="flex-end" grow>
            <Select
              label="User to release"
              placeholder="Pick a user"
              searchable
              data={(options.data?.users ?? []).map((u) => ({
                value: u.id,
                label: `${u.displayName} (${u.loginName})`,
              }))}
              value={userId}
              onChange={setUserId}
              nothingFoundMessage="No own user matches"
            />
            <Select
              label="Release to tenant"
              placeholder={tenants.length === 0 ? 'No customers to share with' : 'Pick a tenant'}
              searchable
              data={tenants.map((t) => ({ value: t.id, label: `${t.name} (${t.kind})` }))}
              value={tenantId}
              onChange={setTenantId}
            />
          </Group>
          <Warnings warnings={before} when="before" />
          <ProblemAlert error={error} onClose={() => setError(undefined)} />
          {after && <Warnings warnings={after} when="after" title="Released, with an advisory" />}
          {after && after.length === 0 && (
            <Text size="sm" c="green.8">
              Released. The other tenant's administrator now sees the offer.
            </Text>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={busy} disabled={!userId || !tenantId}>
              Release user
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
