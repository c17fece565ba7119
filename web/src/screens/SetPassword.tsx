import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';

/** The target of an administrator's reset link: `/set-password#token=…` (the token never reaches a log). */
export function SetPassword({ token }: { token: string }) {
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await must(api.POST('/api/v1/auth/set-password', { body: { token, newPassword: next } }));
      setDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={420} maw="100%">
        <form onSubmit={submit} aria-labelledby="set-title">
          <Stack>
            <Title id="set-title" order={1} size="h2">
              Set your password
            </Title>
            {done ? (
              <Alert color="green" title="Password set">
                <Anchor href="/">Sign in</Anchor> with your new password.
              </Alert>
            ) : (
              <>
                <ProblemAlert error={error} />
                <PasswordInput
                  label="New password"
                  description="At least 15 characters"
                  value={next}
                  onChange={(e) => setNext(e.currentTarget.value)}
                  autoComplete="new-password"
                  required
                />
                <Button type="submit" loading={busy}>
                  Set password
                </Button>
              </>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
