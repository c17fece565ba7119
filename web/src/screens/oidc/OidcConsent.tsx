import { Button, Center, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { Loading } from '../../components/Loading';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useLoad } from '../../use-load';
import { answerConsent, loadInteraction, useRedirectingAction } from './interaction-api';

/** What each scope lets the app learn, in words a person reads before agreeing. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'that it is you (your Kontor user id)',
  profile: 'your name',
  email: 'your email address, if it is verified',
  offline_access: 'to stay signed in while you are away (a refresh token)',
  'kontor.tenant': 'the tenant you act for and your roles there',
  'kontor.permissions': 'the permissions you hold in that tenant',
  'kontor.decisions': 'to ask Kontor, as you, what people may do in that tenant',
};

/** A third-party app asks for access; the person agrees or refuses (first-party apps skip this). */
export function OidcConsent({ uid }: { uid: string }) {
  const view = useLoad(() => loadInteraction(uid), [uid]);
  const { busy, error, run } = useRedirectingAction<'yes' | 'no'>();
  const answer = (approve: boolean) => run(approve ? 'yes' : 'no', () => answerConsent(uid, approve));
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={440} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            Allow access?
          </Title>
          {view.loading && <Loading label="Loading" />}
          <ProblemAlert error={view.error ?? error} />
          {view.data && (
            <>
              <Text size="sm">
                <b>{view.data.app.name}</b> would like to know:
              </Text>
              <List size="sm">
                {view.data.scopes.map((s) => (
                  <List.Item key={s}>{SCOPE_TEXT[s] ?? s}</List.Item>
                ))}
              </List>
              <Group justify="flex-end">
                <Button variant="default" loading={busy === 'no'} onClick={() => void answer(false)}>
                  Refuse
                </Button>
                <Button loading={busy === 'yes'} onClick={() => void answer(true)}>
                  Allow
                </Button>
              </Group>
            </>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
