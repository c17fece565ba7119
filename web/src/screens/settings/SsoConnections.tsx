import { Badge, Button, Code, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { type CheckReport, ConnectionChecks } from './ConnectionChecks';
import { type Connection, type ConnectionFields, ConnectionForm } from './ConnectionForm';

/** OIDC connections (Entra ID, Keycloak, Google …) of the tenant; client secrets are write-only. */
export function SsoConnections() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/sso-connections', { params: { path: { id } } }))).items,
    [id],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [report, setReport] = useState<CheckReport>();
  const [editing, setEditing] = useState<Connection>();

  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    let ok = false;
    try {
      await fn();
      list.reload();
      ok = true;
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
    return ok;
  };
  const create = (f: ConnectionFields) =>
    run(async () => {
      const saved = await must(api.POST('/api/v1/tenants/{id}/sso-connections', { params: { path: { id } }, body: f }));
      // Saved even when the provider does not fit: the checks say what to fix (issue 21 #4).
      if (saved.checks) setReport({ name: saved.name, checks: saved.checks });
    });
  const update = (c: Connection, f: ConnectionFields) =>
    run(async () => {
      const saved = await must(
        api.PATCH('/api/v1/tenants/{id}/sso-connections/{connectionId}', {
          params: { path: { id, connectionId: c.id } },
          body: f,
          // A change made meanwhile by someone else is refused rather than overwritten.
          headers: { 'if-match': `"${c.version}"` },
        }),
      );
      if (saved.checks) setReport({ name: saved.name, checks: saved.checks });
      setEditing(undefined);
    });
  const items = list.data ?? [];

  return (
    <Stack>
      {editing ? (
        <ConnectionForm
          key={editing.id}
          initial={editing}
          busy={busy}
          onSubmit={(f) => update(editing, f)}
          onCancel={() => setEditing(undefined)}
        />
      ) : (
        <ConnectionForm busy={busy} onSubmit={create} />
      )}
      <ProblemAlert error={error ?? list.error} onClose={error ? () => setError(undefined) : undefined} />
      {report && <ConnectionChecks report={report} onClose={() => setReport(undefined)} />}
      {items.length === 0 ? (
        <Empty title="No SSO connections">
          Add your identity provider so people sign in with their company account.
        </Empty>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="xs" aria-label="SSO connections">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Issuer</Table.Th>
                <Table.Th>Redirect URI to register</Table.Th>
                <Table.Th>Linking</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    {c.name}{' '}
                    <Badge size="xs" variant="light" color={c.enabled ? 'green' : 'gray'}>
                      {c.enabled ? 'enabled' : 'disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {c.issuer}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code>{c.redirectUri}</Code>
                  </Table.Td>
                  <Table.Td>{c.linkPolicy}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="default"
                      mr="xs"
                      onClick={() =>
                        void run(async () => {
                          const res = await must(
                            api.POST('/api/v1/tenants/{id}/sso-connections/{connectionId}/test', {
                              params: { path: { id, connectionId: c.id } },
                            }),
                          );
                          setReport({ name: c.name, checks: res.checks });
                        })
                      }
                      aria-label={`Test ${c.name}`}
                    >
                      Test connection
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      mr="xs"
                      onClick={() => {
                        setReport(undefined);
                        setEditing(c);
                      }}
                      aria-label={`Edit ${c.name}`}
                    >
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() =>
                        void run(() =>
                          must(
                            api.DELETE('/api/v1/tenants/{id}/sso-connections/{connectionId}', {
                              params: { path: { id, connectionId: c.id } },
                            }),
                          ),
                        )
                      }
                      aria-label={`Remove ${c.name}`}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
