import { Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ApiError } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';
import { type SecondStep, useSession } from '../session';

/**
 * The second step of a sign-in (issue 16): a code from the authenticator app, or one of the
 * recovery codes. The pending token lives only in this component; it expires within minutes.
 */
export function SecondFactor({ step, onCancel }: { step: SecondStep; onCancel(): void }) {
  const { completeSecondFactor } = useSession();
  const [recovery, setRecovery] = useState(!step.factors.includes('totp'));
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const v = value.replace(/\s+/g, '');
      await completeSecondFactor(
        recovery ? { pendingToken: step.pendingToken, recoveryCode: v } : { pendingToken: step.pendingToken, code: v },
      );
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="second-factor-title">
      <Stack>
        <div>
          <Title id="second-factor-title" order={1} size="h2">
            Second factor
          </Title>
          <Text c="dimmed" size="sm">
            {recovery
              ? 'Enter one of your recovery codes. Each works once.'
              : 'Enter the six-digit code from your authenticator app.'}
          </Text>
        </div>
        <ProblemAlert error={error} />
        <TextInput
          label={recovery ? 'Recovery code' : 'Authentication code'}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          autoComplete="one-time-code"
          inputMode={recovery ? 'text' : 'numeric'}
          autoFocus
          required
        />
        <Button type="submit" loading={busy} fullWidth>
          Verify
        </Button>
        {step.factors.includes('totp') && (
          <Anchor component="button" type="button" size="sm" onClick={() => setRecovery(!recovery)}>
            {recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
          </Anchor>
        )}
        <Anchor component="button" type="button" size="sm" c="dimmed" onClick={onCancel}>
          Start over
        </Anchor>
      </Stack>
    </form>
  );
}
