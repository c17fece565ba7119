import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe, useSession } from '../session';

const MIN = 15;

/** First sign-in with a one-time password: nothing else is reachable until it is changed. */
export function ChangePassword() {
  const me = useMe();
  const { refresh, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const mismatch = repeat.length > 0 && next !== repeat;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return;
    setBusy(true);
    setError(undefined);
    try {
      await must(api.POST('/api/v1/me/password', { body: { currentPassword: current, newPassword: next } }));
      await refresh();
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={440} maw="100%">
        <form onSubmit={submit} aria-labelledby="change-title">
          <Stack>
            <Title id="change-title" order={1} size="h2">
              Choose your own password
            </Title>
            <Alert color="blue" variant="light">
              Welcome, {me.user.displayName}. You signed in to {me.actingTenant.name} with a one-time password; choose
              your own before you continue.
            </Alert>
            <ProblemAlert error={error} />
            <PasswordInput
              label="Current (one-time) password"
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              autoComplete="current-password"
              required
            />
            <PasswordInput
              label="New password"
              description={`At least ${MIN} characters; a short sentence is easy to remember`}
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              autoComplete="new-password"
              minLength={MIN}
              required
            />
            <PasswordInput
              label="Repeat new password"
              value={repeat}
              onChange={(e) => setRepeat(e.currentTarget.value)}
              autoComplete="new-password"
              error={mismatch ? 'The passwords differ' : undefined}
              required
            />
            <Button type="submit" loading={busy} disabled={mismatch}>
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
