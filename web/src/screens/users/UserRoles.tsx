import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { predictRoleAdvisories } from '../../advisories';
import { type ApiError, api, must } from '../../api/client';
import type { Role, UserView, Warning } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { grantableFor, RoleBadges, RolePicker } from '../../components/RolePicker';
import { Warnings } from '../../components/Warnings';
import { useSession } from '../../session';

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Roles of a user. A shared user's roles belong to its home tenant (R6): shown, never editable,
 * with the reason. Otherwise a picker that predicts advisories and shows the server's after saving.
 */
export function UserRoles({
  user,
  homeKind,
  roles,
  onSaved,
}: {
  user: UserView;
  homeKind: string | undefined;
  roles: Role[];
  onSaved(): void;
}) {
  const { can } = useSession();
  const [picked, setPicked] = useState(user.roles);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState<Warning[]>();
  const editable =
    !user.rolesReadOnly &&
    (can('users.roles.assign') || (user.relation === 'customer_primary' && can('customers.primary.manage')));
  const before = predictRoleAdvisories({ type: user.type, homeTenantKind: homeKind }, picked, roles);
  const changed = !sameSet(picked, user.roles);
  // Roles it holds stay visible even where they could no longer be granted.
  const grantable = grantableFor(roles, homeKind);
  const offered = roles.filter((r) => grantable.includes(r) || user.roles.includes(r.key));

  const save = async () => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const res = await must(
        api.PUT('/api/v1/users/{id}/roles', {
          params: { path: { id: user.id } },
          body: { roles: picked },
          headers: { 'if-match': `"${user.version}"` },
        }),
      );
      setSaved(res.warnings);
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Title order={2} size="h4">
          Roles
        </Title>
        {user.rolesReadOnly || !editable ? (
          <>
            {user.rolesReadOnly && (
              <Alert color="gray" variant="light" title="Roles are read-only here">
                This user is shared from another tenant. Its roles belong to its home tenant, which alone can change
                them; you can end the share under Sharing.
              </Alert>
            )}
            <RoleBadges keys={user.roles} roles={roles} />
            {!user.rolesReadOnly && (
              <Text size="sm" c="dimmed">
                Your roles do not allow changing the roles of this user.
              </Text>
            )}
          </>
        ) : (
          <>
            <RolePicker roles={offered} value={picked} onChange={setPicked} label="Assigned roles" />
            {changed && <Warnings warnings={before} when="before" />}
            {saved && !changed && <Warnings warnings={saved} when="after" />}
            {saved && !changed && saved.length === 0 && <Alert color="green" variant="light" title="Roles saved" />}
            <ProblemAlert error={error} onClose={() => setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" disabled={!changed} onClick={() => setPicked(user.roles)}>
                Undo changes
              </Button>
              <Button onClick={() => void save()} loading={busy} disabled={!changed}>
                Save roles
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}
