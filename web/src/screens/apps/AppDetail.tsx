import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  MultiSelect,
  Paper,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { App } from '../../api/types';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { go, href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { GRANTS, type Grant, SCOPES, type Scope } from './app-options';
import { ClientSecret } from './ClientSecret';

/** One app: change its URIs, scopes and grants (If-Match guards the edit), rotate its secret, remove it. */
export function AppDetail({ id: appId }: { id: string }) {
  const me = useMe();
  const id = me.actingTenant.id;
  const path = { params: { path: { id, appId } } };
  const loaded = useLoad(async () => must(api.GET('/api/v1/tenants/{id}/apps/{appId}', path)), [id, appId]);
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const app = loaded.data;

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(undefined);
  };
  const rotate = () =>
    run('rotate', async () => {
      const r = await must(api.POST('/api/v1/tenants/{id}/apps/{appId}/secret', path));
      setSecret(r.clientSecret);
      loaded.reload();
    });
  const remove = () =>
    run('delete', async () => {
      await must(api.DELETE('/api/v1/tenants/{id}/apps/{appId}', path));
      go('apps');
    });

  if (!app) {
    return (
      <Page title="App">
        {loaded.error ? <ProblemAlert error={loaded.error} /> : <Loading label="Loading the app" />}
      </Page>
    );
  }
  return (
    <Page
      title={app.name}
      description={
        <Group gap="xs">
          <Anchor href={href('apps')}>All apps</Anchor>
          <Text span>·</Text>
          <Text span>
            client_id <Code>{app.id}</Code> · {app.kind} · {app.authMethod}
          </Text>
          {app.firstParty && <Badge variant="light">first-party</Badge>}
        </Group>
      }
      actions={
        <>
          {app.hasSecret && (
            <Button variant="default" loading={busy === 'rotate'} onClick={() => void rotate()}>
              Rotate secret
            </Button>
          )}
          {confirmDelete ? (
            <Button color="red" loading={busy === 'delete'} onClick={() => void remove()}>
              Really delete {app.name}
            </Button>
          ) : (
            <Button color="red" variant="light" onClick={() => setConfirmDelete(true)}>
              Delete app
            </Button>
          )}
        </>
      }
    >
      <ProblemAlert error={error} onClose={() => setError(undefined)} />
      {secret && <ClientSecret clientId={app.id} secret={secret} onClose={() => setSecret(undefined)} />}
      <AppForm app={app} onSaved={loaded.reload} onError={setError} />
    </Page>
  );
}

function AppForm({ app, onSaved, onError }: { app: App; onSaved(): void; onError(e: ApiError | undefined): void }) {
  const me = useMe();
  const [name, setName] = useState(app.name);
  const [redirects, setRedirects] = useState(app.redirectUris);
  const [logouts, setLogouts] = useState(app.postLogoutRedirectUris);
  const [backchannel, setBackchannel] = useState(app.backchannelLogoutUri ?? '');
  const [scopes, setScopes] = useState(app.scopes);
  const [grants, setGrants] = useState(app.grantTypes);
  const [enabled, setEnabled] = useState(app.enabled);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    onError(undefined);
    try {
      await must(
        api.PATCH('/api/v1/tenants/{id}/apps/{appId}', {
          params: { path: { id: me.actingTenant.id, appId: app.id } },
          body: {
            name: name.trim(),
            redirectUris: redirects,
            postLogoutRedirectUris: logouts,
            backchannelLogoutUri: backchannel.trim() || null,
            scopes: scopes as Scope[],
            grantTypes: grants as Grant[],
            enabled,
          },
          headers: { 'if-match': `"${app.version}"` },
        }),
      );
      onSaved();
      setSaved(true);
    } catch (err) {
      onError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={save}>
        <Stack>
          <Title order={2} size="h4">
            Registration
          </Title>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TagsInput label="Redirect URIs" value={redirects} onChange={setRedirects} />
          <TagsInput label="Post-logout redirect URIs" value={logouts} onChange={setLogouts} />
          <TextInput
            label="Back-channel logout URI"
            placeholder="https://app.example.com/backchannel-logout"
            value={backchannel}
            onChange={(e) => setBackchannel(e.currentTarget.value)}
          />
          <Group grow align="flex-start">
            <MultiSelect label="Scopes" data={SCOPES} value={scopes} onChange={setScopes} />
            <MultiSelect label="Grant types" data={GRANTS} value={grants} onChange={setGrants} />
          </Group>
          <Group justify="space-between">
            <Switch
              label="Enabled: people can sign in to it"
              checked={enabled}
              onChange={(e) => setEnabled(e.currentTarget.checked)}
            />
            <Group>
              {saved && (
                <Text size="sm" c="green.8" role="status">
                  Saved.
                </Text>
              )}
              <Button type="submit" loading={busy}>
                Save changes
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
