import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { PasswordChangeFields, usePasswordChange } from '../components/PasswordChange';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe, useSession } from '../session';

/** First sign-in with a one-time password: nothing else is reachable until it is changed. */
export function ChangePassword() {
  const me = useMe();
  const { refresh, signOut } = useSession();
  const form = usePasswordChange(refresh);

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={440} maw="100%">
        <form onSubmit={(e) => void form.submit(e)} aria-labelledby="change-title">
          <Stack>
            <Title id="change-title" order={1} size="h2">
              Choose your own password
            </Title>
            <Alert color="blue" variant="light">
              Welcome, {me.user.displayName}. You signed in to {me.actingTenant.name} with a one-time password; choose
              your own before you continue.
            </Alert>
            <ProblemAlert error={form.error} />
            <PasswordChangeFields form={form} currentLabel="Current (one-time) password" />
            <Button type="submit" loading={form.busy} disabled={form.mismatch}>
              Change password
            </Button>
            <Text size="sm" ta="center">
              <Button variant="subtle" size="xs" onClick={() => void signOut()}>
                Sign out
              </Button>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
