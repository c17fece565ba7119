import { Alert, Button, Group, MultiSelect, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { UserView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe, useSession } from '../../session';
import { useLoad } from '../../use-load';
import { FieldInput } from './FieldInput';

/** Profile, companies and custom fields; editable only for users of the acting tenant. */
export function UserProfile({ user, onSaved }: { user: UserView; onSaved(): void }) {
  const me = useMe();
  const { can } = useSession();
  const tenantId = me.actingTenant.id;
  const own = user.tenantId === tenantId;
  const editable = own && can('users.update');
  const [displayName, setDisplayName] = useState(user.displayName);
  const [email, setEmail] = useState(user.email ?? '');
  const [companyIds, setCompanyIds] = useState(user.companyIds);
  const [fields, setFields] = useState<Record<string, unknown>>(user.customFields);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const meta = useLoad(async () => {
    if (!own) return { companies: [], fields: [] };
    const path = { params: { path: { id: tenantId } } };
    const [c, f] = await Promise.all([
      must(api.GET('/api/v1/tenants/{id}/companies', path)),
      must(api.GET('/api/v1/tenants/{id}/fields', path)),
    ]);
    return { companies: c.items, fields: f.items };
  }, [tenantId, own]);

  const save = async () => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await must(
        api.PATCH('/api/v1/users/{id}', {
          params: { path: { id: user.id } },
          body: { displayName: displayName.trim(), email: email.trim() || null, companyIds, customFields: fields },
          headers: { 'if-match': `"${user.version}"` },
        }),
      );
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  const companies = meta.data?.companies ?? [];
  const defs = meta.data?.fields ?? [];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Title order={2} size="h4">
          Profile
        </Title>
        {!own && (
          <Text size="sm" c="dimmed">
            Profile, companies and fields belong to the user's home tenant.
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Display name"
            value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            disabled={!editable}
          />
          <TextInput
            label="Email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            disabled={!editable}
          />
        </SimpleGrid>
        {own && (
          <MultiSelect
            label="Companies"
            description={
              companies.length === 0
                ? 'No companies yet: add them under Settings'
                : 'Limits the user to these companies'
            }
            data={companies.map((c) => ({ value: c.id, label: c.name }))}
            value={companyIds}
            onChange={setCompanyIds}
            disabled={!editable || companies.length === 0}
            clearable
          />
        )}
        {defs.length > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {defs.map((d) => (
              <FieldInput
                key={d.id}
                def={d}
                value={fields[d.key]}
                onChange={(v) => setFields((f) => ({ ...f, [d.key]: v }))}
                disabled={!editable}
              />
            ))}
          </SimpleGrid>
        )}
        <ProblemAlert error={error} onClose={() => setError(undefined)} />
        {saved && <Alert color="green" variant="light" title="Profile saved" />}
        {editable && (
          <Group justify="flex-end">
            <Button onClick={() => void save()} loading={busy}>
              Save profile
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
