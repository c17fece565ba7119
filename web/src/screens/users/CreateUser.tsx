import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  MultiSelect,
  PasswordInput,
  SimpleGrid,
  Stack,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { predictRoleAdvisories } from '../../advisories';
import { type ApiError, api, must } from '../../api/client';
import type { Role, Warning } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { grantableFor, RolePicker } from '../../components/RolePicker';
import { Warnings } from '../../components/Warnings';
import { href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';

/** A secondary user of the acting tenant: staff of this organisation, not its customers. */
export function CreateUser({ roles, onClose, onCreated }: { roles: Role[]; onClose(): void; onCreated(): void }) {
  const me = useMe();
  const tenantId = me.actingTenant.id;
  const [displayName, setDisplayName] = useState('');
  const [loginName, setLoginName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [companyIds, setCompanyIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [created, setCreated] = useState<{ id: string; warnings: Warning[] }>();
  const companies = useLoad(
    async () =>
      me.permissions.includes('users.read')
        ? (await must(api.GET('/api/v1/tenants/{id}/companies', { params: { path: { id: tenantId } } }))).items
        : [],
    [tenantId],
  );
  const before = predictRoleAdvisories({ type: 'secondary', homeTenantKind: me.actingTenant.kind }, picked, roles);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await must(
        api.POST('/api/v1/tenants/{id}/users', {
          params: { path: { id: tenantId } },
          body: {
            loginName: loginName.trim(),
            type: 'secondary',
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            ...(email.trim() ? { email: email.trim() } : {}),
            ...(password ? { password } : {}),
            roles: picked,
            ...(companyIds.length > 0 ? { companyIds } : {}),
          },
        }),
      );
      setCreated({ id: res.user.id, warnings: res.warnings });
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Modal opened onClose={onClose} title="Create user" size="lg">
      {created ? (
        <Stack>
          <Alert color="green" title="User created">
            <Anchor href={href('users', created.id)} onClick={onClose}>
              Open {loginName}
            </Anchor>
          </Alert>
          <Warnings warnings={created.warnings} when="after" />
          <Group justify="flex-end">
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <ProblemAlert error={error} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Display name"
                value={displayName}
                onChange={(e) => setDisplayName(e.currentTarget.value)}
              />
              <TextInput
                label="Login name"
                value={loginName}
                onChange={(e) => setLoginName(e.currentTarget.value)}
                autoCapitalize="none"
                required
                data-autofocus
              />
              <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
              <PasswordInput
                label="Initial password"
                description="Optional; changed at first sign-in. Without one, send a reset link."
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="new-password"
              />
            </SimpleGrid>
            {(companies.data?.length ?? 0) > 0 && (
              <MultiSelect
                label="Companies"
                description="Limit the user to some companies of the tenant"
                data={(companies.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                value={companyIds}
                onChange={setCompanyIds}
                clearable
              />
            )}
            <RolePicker roles={grantableFor(roles, me.actingTenant.kind)} value={picked} onChange={setPicked} />
            <Warnings warnings={before} when="before" />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create user
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
