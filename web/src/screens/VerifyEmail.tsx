import { Alert, Anchor, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { api, must } from '../api/client';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { useLoad } from '../use-load';

// The token works once: React's development double effect (StrictMode) must not spend it on a
// first request whose answer is dropped, so each token is posted at most once per page load.
const posted = new Map<string, Promise<void>>();
function confirmOnce(token: string): Promise<void> {
  let p = posted.get(token);
  if (!p) {
    p = must(api.POST('/api/v1/auth/verify-email', { body: { token } })).then(() => undefined);
    posted.set(token, p);
  }
  return p;
}

/** The target of a verification mail: `/verify-email#token=…` confirms the address it was sent to. */
export function VerifyEmail({ token }: { token: string }) {
  const res = useLoad(() => (token ? confirmOnce(token).then(() => true) : Promise.resolve(false)), [token]);
  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={420} maw="100%">
        <Stack>
          <Title order={1} size="h2">
            Confirm your email address
          </Title>
          {res.loading ? (
            <Loading label="Confirming" />
          ) : res.data ? (
            <Alert color="green" title="Address confirmed">
              Your email address is verified. <Anchor href="/">Go to sign-in</Anchor>.
            </Alert>
          ) : res.error ? (
            <ProblemAlert error={res.error} />
          ) : (
            // Opened without a token, or reloaded after it was read (it leaves the address bar).
            <Text size="sm">
              This page needs the link from the verification mail. Open the link again, or ask for a new one.
            </Text>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
