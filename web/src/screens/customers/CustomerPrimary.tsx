import { Anchor, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { Role, Tenant, UserView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { grantableFor, RolePicker } from '../../components/RolePicker';
import { RelationBadge } from '../../components/StateBadge';
import { href } from '../../nav';
import { useSession } from '../../session';
import { UserActions } from '../users/UserActions';
import { UserRoles } from '../users/UserRoles';

/** A customer created without a login gets its primary user here (R5: the supplier's sales). */
function CreatePrimary({ customer, roles, onCreated }: { customer: Tenant; roles: Role[]; onCreated(): void }) {
  const [loginName, setLoginName] = useState('');
  const [email, setEmail] = useState('');
  const [picked, setPicked] = useState<string[]>(['AdministrationBasic']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await must(
        api.POST('/api/v1/tenants/{id}/users', {
          params: { path: { id: customer.id } },
          body: {
            loginName: loginName.trim(),
            type: 'primary',
            ...(email.trim() ? { email: email.trim() } : {}),
            roles: picked,
          },
        }),
      );
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <Stack gap="sm">
        <Text size="sm">{customer.name} has no primary user yet: nobody can sign in there.</Text>
        <TextInput
          label="Login name"
          required
          value={loginName}
          onChange={(e) => setLoginName(e.currentTarget.value)}
        />
        <TextInput
          label="Email"
          description="The password link goes here; without one the console shows the link to hand over."
          type="email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
        />
        <RolePicker
          roles={grantableFor(roles, customer.kind)}
          value={picked}
          onChange={setPicked}
          label="Roles of the primary user"
        />
        <ProblemAlert error={error} onClose={() => setError(undefined)} />
        <Group>
          <Button type="submit" loading={busy}>
            Create primary user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The customer's primary user: who it is, its roles, and lock/unlock/reset through the user
 * routes (R5 and the rank rule are the server's; a refusal is shown in words).
 */
export function CustomerPrimary({
  customer,
  roles,
  primary,
  missing,
  error,
  onChanged,
}: {
  customer: Tenant;
  roles: Role[];
  primary: UserView | undefined;
  missing: boolean;
  error: ApiError | undefined;
  onChanged(): void;
}) {
  const { can } = useSession();
  return (
    <Stack>
      <Paper withBorder p="md" radius="md">
        <Stack gap="xs">
          <Title order={2} size="h4">
            Primary user
          </Title>
          {primary ? (
            <Group gap="xs">
              <Anchor href={href('users', primary.id)} fw={500}>
                {primary.displayName}
              </Anchor>
              <Text span size="sm" ff="monospace">
                {primary.loginName}
              </Text>
              {primary.email && (
                <Text span size="sm">
                  · {primary.email}
                </Text>
              )}
              <RelationBadge relation={primary.relation} />
            </Group>
          ) : missing ? (
            can('customers.primary.manage') ? (
              <CreatePrimary customer={customer} roles={roles} onCreated={onChanged} />
            ) : (
              <Text size="sm">{customer.name} has no primary user yet; your supplier's sales function creates it.</Text>
            )
          ) : (
            <ProblemAlert error={error} />
          )}
        </Stack>
      </Paper>
      {primary && (
        <>
          <UserActions user={primary} onChanged={onChanged} onDeleted={onChanged} />
          <UserRoles key={primary.id} user={primary} homeKind={customer.kind} roles={roles} onSaved={onChanged} />
        </>
      )}
    </Stack>
  );
}
