import { Alert, Button, Code, CopyButton, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { UserView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StateBadge } from '../../components/StateBadge';
import { go } from '../../nav';
import { useMe, useSession } from '../../session';

type Action = 'lock' | 'unlock' | 'disable' | 'enable';
const PATHS = {
  lock: '/api/v1/users/{id}/lock',
  unlock: '/api/v1/users/{id}/unlock',
  disable: '/api/v1/users/{id}/disable',
  enable: '/api/v1/users/{id}/enable',
} as const;

/** State changes and the one-time password link; a shared user is managed by its home tenant. */
export function UserActions({
  user,
  onChanged,
  onDeleted = () => go('users'),
}: {
  user: UserView;
  onChanged(): void;
  /** After a deletion; the user page goes back to the list, the customer page stays. */
  onDeleted?: () => void;
}) {
  const { can } = useSession();
  const me = useMe();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [reset, setReset] = useState<{ link?: string; delivery: string; expiresAt: string }>();
  // Nobody changes his own state; a shared user is managed by its home tenant.
  const manage = user.relation !== 'shared' && user.id !== me.user.id;
  // R5: a supplier's sales function manages the primary user of a direct customer.
  const sales = user.relation === 'customer_primary' && can('customers.primary.manage');
  const mayLock = can('users.lock') || sales;
  const mayReset = can('users.password.reset') || sales;
  const mayDelete = can('users.delete') || sales;
  const [deleting, setDeleting] = useState(false);

  const run = async (key: string, fn: () => Promise<unknown>) => {
    setBusy(key);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };
  const setState = (a: Action) =>
    run(a, async () => {
      await must(api.POST(PATHS[a], { params: { path: { id: user.id } } }));
      onChanged();
    });
  const issueReset = () =>
    run('reset', async () => {
      const r = await must(api.POST('/api/v1/users/{id}/password-reset', { params: { path: { id: user.id } } }));
      setReset({ ...(r.link ? { link: r.link } : {}), delivery: r.delivery, expiresAt: String(r.expiresAt) });
    });

  const remove = () =>
    run('delete', async () => {
      await must(api.DELETE('/api/v1/users/{id}', { params: { path: { id: user.id } } }));
      setDeleting(false);
      onDeleted();
    });

  return (
    <Paper withBorder p="md" radius="md">
      {deleting && (
        <Modal opened onClose={() => setDeleting(false)} title={`Delete ${user.displayName}`}>
          <Stack>
            <Text size="sm">
              This removes {user.loginName} with its roles, links and tokens, and ends its shares. It cannot be undone;
              disable instead to keep the account.
            </Text>
            <ProblemAlert error={error} onClose={() => setError(undefined)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(false)}>
                Cancel
              </Button>
              <Button color="red" loading={busy === 'delete'} onClick={() => void remove()}>
                Delete user
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Access
          </Title>
          <StateBadge state={user.state} />
        </Group>
        <Text size="sm" c="dimmed">
          Locking is temporary (for example after a suspected leak); disable users who left. Both end their sessions at
          once.
        </Text>
        {manage ? (
          <Group gap="xs">
            {mayLock && user.state === 'active' && (
              <Button variant="default" loading={busy === 'lock'} onClick={() => void setState('lock')}>
                Lock
              </Button>
            )}
            {mayLock && user.state === 'locked' && (
              <Button variant="default" loading={busy === 'unlock'} onClick={() => void setState('unlock')}>
                Unlock
              </Button>
            )}
            {mayLock && user.state !== 'disabled' && (
              <Button variant="light" color="red" loading={busy === 'disable'} onClick={() => void setState('disable')}>
                Disable
              </Button>
            )}
            {mayLock && user.state === 'disabled' && (
              <Button variant="default" loading={busy === 'enable'} onClick={() => void setState('enable')}>
                Enable
              </Button>
            )}
            {mayReset && (
              <Button variant="default" loading={busy === 'reset'} onClick={() => void issueReset()}>
                Password reset link
              </Button>
            )}
            {mayDelete && (
              <Button
                variant="subtle"
                color="red"
                onClick={() => setDeleting(true)}
                aria-label={`Delete ${user.loginName}`}
              >
                Delete
              </Button>
            )}
          </Group>
        ) : (
          <Text size="sm">
            {user.id === me.user.id
              ? 'This is you: another administrator changes your state.'
              : 'This user is managed by its home tenant.'}
          </Text>
        )}
        <ProblemAlert error={error} onClose={() => setError(undefined)} />
        {reset &&
          (reset.link ? (
            <Alert color="blue" variant="light" title="One-time password link">
              <Stack gap="xs">
                <Text size="sm">
                  The user has no email address: hand this link over yourself. It works once, until{' '}
                  {new Date(reset.expiresAt).toLocaleString()}.
                </Text>
                <Code block>{reset.link}</Code>
                <CopyButton value={reset.link}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="light" onClick={copy} w="fit-content">
                      {copied ? 'Copied' : 'Copy link'}
                    </Button>
                  )}
                </CopyButton>
              </Stack>
            </Alert>
          ) : (
            <Alert color="green" variant="light" title="Link sent">
              A one-time link went to the user's email address.
            </Alert>
          ))}
      </Stack>
    </Paper>
  );
}
