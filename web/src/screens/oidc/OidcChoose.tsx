import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLoad } from '../../use-load';
import { chooseTenant, loadInteraction, useRedirectingAction } from './interaction-api';

/** An app asked Kontor who is signing in; the person may act in several tenants and picks one. */
export function OidcChoose({ uid }: { uid: string }) {
  const view = useLoad(() => loadInteraction(uid), [uid]);
  const { busy, error, run } = useRedirectingAction<string>();
  const pick = (tenantId: string) => run(tenantId, () => chooseTenant(uid, tenantId));
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={440} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            Choose a tenant
          </Title>
          {view.loading && <Loading label="Loading" />}
          <ProblemAlert error={view.error ?? error} />
          {view.data && (
            <>
              <Text size="sm">
                <b>{view.data.app.name}</b> asks for whom you are signing in.
              </Text>
              {view.data.tenants.length === 0 ? (
                <Alert color="yellow">There is no tenant in which you may act for this app.</Alert>
              ) : (
                view.data.tenants.map((t) => (
                  <Button key={t.id} variant="default" loading={busy === t.id} onClick={() => void pick(t.id)}>
                    {t.name} ({t.slug})
                  </Button>
                ))
              )}
            </>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
