import {
  Badge,
  Button,
  Code,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  TagsInput,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { GRANTS, type Grant, SCOPES, type Scope } from './app-options';
import { ClientSecret } from './ClientSecret';

const KINDS = [
  { value: 'confidential', label: 'Confidential: a server keeps a client secret' },
  { value: 'public', label: 'Public: a browser or mobile app, no secret (PKCE)' },
];

/** The tenant's apps (OAuth clients of Kontor's OpenID Provider); needs apps.manage. */
export function Apps() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/apps', { params: { path: { id } } }))).items,
    [id],
  );
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'confidential' | 'public'>('confidential');
  const [redirects, setRedirects] = useState<string[]>([]);
  const [logouts, setLogouts] = useState<string[]>([]);
  const [scopes, setScopes] = useState<string[]>(['openid', 'profile', 'email', 'kontor.tenant']);
  const [grants, setGrants] = useState<string[]>(['authorization_code']);
  const [created, setCreated] = useState<{ id: string; secret: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const app = await must(
        api.POST('/api/v1/tenants/{id}/apps', {
          params: { path: { id } },
          body: {
            name: name.trim(),
            kind,
            redirectUris: redirects,
            postLogoutRedirectUris: logouts,
            scopes: scopes as Scope[],
            grantTypes: grants as Grant[],
          },
        }),
      );
      if (app.clientSecret) setCreated({ id: app.id, secret: app.clientSecret });
      setName('');
      setRedirects([]);
      setLogouts([]);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };
  const items = list.data ?? [];

  return (
    <Page
      title="Apps"
      description="Applications that sign people of this tenant in through Kontor (OpenID Connect). Each gets a client ID; confidential ones a secret, shown once."
    >
      <Paper withBorder p="md" radius="md">
        <form onSubmit={create}>
          <Stack>
            <Title order={2} size="h4">
              Register an app
            </Title>
            <Group grow align="flex-start">
              <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
              <Select
                label="Kind"
                data={KINDS}
                value={kind}
                onChange={(v) => setKind((v ?? 'confidential') as 'confidential' | 'public')}
                allowDeselect={false}
              />
            </Group>
            <TagsInput
              label="Redirect URIs"
              description="Exactly as the app sends them: https, or http on 127.0.0.1 or localhost. Press Enter after each."
              placeholder="https://app.example.com/callback"
              value={redirects}
              onChange={setRedirects}
            />
            <TagsInput
              label="Post-logout redirect URIs"
              placeholder="https://app.example.com/"
              value={logouts}
              onChange={setLogouts}
            />
            <Group grow align="flex-start">
              <MultiSelect label="Scopes" data={SCOPES} value={scopes} onChange={setScopes} />
              <MultiSelect label="Grant types" data={GRANTS} value={grants} onChange={setGrants} />
            </Group>
            <Group justify="flex-end">
              <Button type="submit" loading={busy}>
                Register app
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
      <ProblemAlert error={error ?? list.error} onClose={error ? () => setError(undefined) : undefined} />
      {created && <ClientSecret clientId={created.id} secret={created.secret} onClose={() => setCreated(undefined)} />}
      {items.length === 0 ? (
        <Empty title="No apps yet">Register the shop, portal or tool that should sign people in through Kontor.</Empty>
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" aria-label="Apps">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Client ID</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Redirect URIs</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <a href={href('apps', a.id)}>{a.name}</a>
                    </Table.Td>
                    <Table.Td>
                      <Code>{a.id}</Code>
                    </Table.Td>
                    <Table.Td>{a.kind}</Table.Td>
                    <Table.Td>{a.redirectUris.join(', ') || '—'}</Table.Td>
                    <Table.Td>
                      <Badge color={a.enabled ? 'green' : 'gray'} variant="light">
                        {a.enabled ? 'enabled' : 'disabled'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Page>
  );
}
