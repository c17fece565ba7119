import {
  Badge,
  Button,
  Code,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import { Empty } from '../../components/Empty';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { type CheckReport, ConnectionChecks } from './ConnectionChecks';

type LinkPolicy = 'manual' | 'verified-email' | 'jit';
const POLICIES = [
  { value: 'manual', label: 'Manual: an administrator or the user links accounts' },
  { value: 'verified-email', label: 'Verified email inside the vouched domains' },
  { value: 'jit', label: 'Just-in-time: create users at first sign-in' },
];

/** OIDC connections (Entra ID, Keycloak, Google …) of the tenant; client secrets are write-only. */
export function SsoConnections() {
  const me = useMe();
  const id = me.actingTenant.id;
  const list = useLoad(
    async () => (await must(api.GET('/api/v1/tenants/{id}/sso-connections', { params: { path: { id } } }))).items,
    [id],
  );
  const [name, setName] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [domains, setDomains] = useState<string[]>([]);
  const [policy, setPolicy] = useState<LinkPolicy>('manual');
  const [subtree, setSubtree] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [report, setReport] = useState<CheckReport>();

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(false);
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const saved = await must(
        api.POST('/api/v1/tenants/{id}/sso-connections', {
          params: { path: { id } },
          body: {
            name: name.trim(),
            issuer: issuer.trim(),
            clientId: clientId.trim(),
            ...(clientSecret ? { clientSecret } : {}),
            vouchedDomains: domains,
            linkPolicy: policy,
            offeredToSubtree: subtree,
            enabled: true,
          },
        }),
      );
      // Saved even when the provider does not fit: the checks say what to fix (issue 21 #4).
      if (saved.checks) setReport({ name: saved.name, checks: saved.checks });
      setName('');
      setIssuer('');
      setClientId('');
      setClientSecret('');
    });
  };
  const items = list.data ?? [];

  return (
    <Stack>
      <form onSubmit={create}>
        <Stack>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label="Name on the sign-in button"
              placeholder="Contoso Entra ID"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <TextInput
              label="Issuer"
              placeholder="https://login.example.com/tenant/v2.0"
              value={issuer}
              onChange={(e) => setIssuer(e.currentTarget.value)}
              required
            />
            <TextInput
              label="Client ID"
              value={clientId}
              onChange={(e) => setClientId(e.currentTarget.value)}
              required
            />
            <PasswordInput
              label="Client secret"
              description="Stored encrypted; never shown again"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.currentTarget.value)}
              autoComplete="off"
            />
            <TagsInput label="Vouched email domains" placeholder="example.com" value={domains} onChange={setDomains} />
            <Select
              label="Linking accounts"
              data={POLICIES}
              value={policy}
              onChange={(v) => setPolicy((v ?? 'manual') as LinkPolicy)}
              allowDeselect={false}
            />
          </SimpleGrid>
          <Group justify="space-between">
            <Switch
              label="Offer to the tenants below (MSP sign-in)"
              checked={subtree}
              onChange={(e) => setSubtree(e.currentTarget.checked)}
            />
            <Button type="submit" loading={busy}>
              Add connection
            </Button>
          </Group>
        </Stack>
      </form>
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
