import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useState } from 'react';
import { PasswordChangeFields, usePasswordChange } from '../components/PasswordChange';
import { ProblemAlert } from '../components/ProblemAlert';

/** Changing one's own password at any time (R8: with the current one); other sessions end. */
export function OwnPassword({ onClose }: { onClose(): void }) {
  const [done, setDone] = useState(false);
  const form = usePasswordChange(() => setDone(true));

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
        <form onSubmit={(e) => void form.submit(e)}>
          <Stack>
            <PasswordChangeFields form={form} />
            <ProblemAlert error={form.error} onClose={() => form.setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={form.busy} disabled={form.mismatch}>
                Change password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
