import { Alert, Button, Group, Modal, PasswordInput, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';

const MIN = 15;

/** Changing one's own password at any time (R8: with the current one); other sessions end. */
export function OwnPassword({ onClose }: { onClose(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError>();
  const mismatch = repeat.length > 0 && next !== repeat;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return;
    setBusy(true);
    setError(undefined);
    try {
      await must(api.POST('/api/v1/me/password', { body: { currentPassword: current, newPassword: next } }));
      setDone(true);
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Modal opened onClose={onClose} title="Change your password">
      {done ? (
        <Stack>
          <Alert color="green" variant="light" title="Password changed">
            Your other sessions have ended; this one goes on.
          </Alert>
          <Group justify="flex-end">
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <PasswordInput
              label="Current password"
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
            <ProblemAlert error={error} onClose={() => setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy} disabled={mismatch}>
                Change password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
