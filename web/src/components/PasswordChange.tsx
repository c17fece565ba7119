import { PasswordInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../api/client';

// Kontor's floor (NIST SP 800-63B); a tenant's policy may ask for more, and the server says so.
const MIN = 15;

/**
 * Changing one's own password with the current one (R8): the state and the call shared by the
 * forced first change and the account menu's dialog. `onChanged` runs after the server agreed.
 */
export function usePasswordChange(onChanged: () => Promise<void> | void) {
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
      await onChanged();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };
  return { current, setCurrent, next, setNext, repeat, setRepeat, busy, error, setError, mismatch, submit };
}

/** The three fields of a password change: current, new, and the new one repeated. */
export function PasswordChangeFields({
  form,
  currentLabel = 'Current password',
}: {
  form: ReturnType<typeof usePasswordChange>;
  currentLabel?: string;
}) {
  return (
    <>
      <PasswordInput
        label={currentLabel}
        value={form.current}
        onChange={(e) => form.setCurrent(e.currentTarget.value)}
        autoComplete="current-password"
        required
      />
      <PasswordInput
        label="New password"
        description={`At least ${MIN} characters; a short sentence is easy to remember`}
        value={form.next}
        onChange={(e) => form.setNext(e.currentTarget.value)}
        autoComplete="new-password"
        minLength={MIN}
        required
      />
      <PasswordInput
        label="Repeat new password"
        value={form.repeat}
        onChange={(e) => form.setRepeat(e.currentTarget.value)}
        autoComplete="new-password"
        error={form.mismatch ? 'The passwords differ' : undefined}
        required
      />
    </>
  );
}
