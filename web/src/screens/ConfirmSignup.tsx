import { Alert, Anchor, Center, Paper, Stack, Title } from '@mantine/core';
import { api, must } from '../api/client';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { useLoad } from '../use-load';

/** The target of a self-registration mail: `/signup/confirm#token=…` activates the new tenant. */
export function ConfirmSignup({ token }: { token: string }) {
  const res = useLoad(() => must(api.POST('/api/v1/signup/confirm', { body: { token } })), [token]);
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={420} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            Confirm your registration
          </Title>
          {res.loading ? (
            <Loading label="Confirming" />
          ) : res.data ? (
            <Alert color="green" title="Your tenant is active">
              Sign in with tenant <b>{res.data.slug}</b>: <Anchor href="/">go to sign-in</Anchor>.
            </Alert>
          ) : (
            <ProblemAlert error={res.error} />
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
