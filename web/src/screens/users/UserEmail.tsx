import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type ApiError, api, must } from '../../api/client';
import type { UserView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { EmailBadge } from '../../components/StateBadge';
import { useMe, useSession } from '../../session';

type Done = { kind: 'sent' | 'attested'; email: string };

/**
 * The address's verification (issue 14 #6): a new link to its owner, or an administrator's word
 * for it. Verified-email SSO linking trusts the mark, so attesting follows the rank rule; the
 * server decides both again.
 */
export function UserEmail({ user, onChanged }: { user: UserView; onChanged(): void }) {
  const { can } = useSession();
  const me = useMe();
  const [busy, setBusy] = useState<Done['kind']>();
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState<Done>();
  const self = user.id === me.user.id;
  // R5: a supplier's sales function manages the primary user of a direct customer, this too.
  const sales = user.relation === 'customer_primary' && can('customers.primary.manage');
  const own = user.relation === 'own';
  const maySend = user.relation !== 'shared' && (self || (own && can('users.update')) || sales);
  // Attesting is vouching for someone else's address; the owner proves his own with the link.
  const mayAttest = !self && ((own && can('users.email.attest')) || sales);
  const email = user.email;

  const run = async (kind: Done['kind'], path: '/api/v1/users/{id}/email-verification' | typeof ATTEST) => {
    if (!email) return;
    setBusy(kind);
    setError(undefined);
    setDone(undefined);
    try {
      await must(api.POST(path, { params: { path: { id: user.id } } }));
      setDone({ kind, email });
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    }
    setBusy(undefined);
  };

  return (
    <Paper withBorder p="md" radius="md">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Email address
          </Title>
          <EmailBadge email={email} verified={user.emailVerified} />
        </Group>
        <Text size="sm" c="dimmed">
          {!email
            ? 'No address: set one under Profile, and the user gets a verification link.'
            : user.emailVerified
              ? 'Its owner followed the verification link, or an administrator attested it. Changing the address clears the mark.'
              : 'Not confirmed yet: the user follows the link sent to it, or an administrator who knows the address attests it.'}
        </Text>
        {email && !user.emailVerified && (maySend || mayAttest) && (
          <Group gap="xs">
            {maySend && (
              <Button
                variant="default"
                loading={busy === 'sent'}
                onClick={() => void run('sent', '/api/v1/users/{id}/email-verification')}
              >
                Send verification link
              </Button>
            )}
            {mayAttest && (
              <Button variant="default" loading={busy === 'attested'} onClick={() => void run('attested', ATTEST)}>
                Attest address
              </Button>
            )}
          </Group>
        )}
        {email && user.relation === 'shared' && <Text size="sm">This user is managed by its home tenant.</Text>}
        <ProblemAlert error={error} onClose={() => setError(undefined)} />
        {done?.kind === 'sent' && (
          <Alert color="green" variant="light" title="Link sent" withCloseButton onClose={() => setDone(undefined)}>
            A verification link went to {done.email}. It works once, for three days; an older link no longer works.
          </Alert>
        )}
        {done?.kind === 'attested' && (
          <Alert
            color="green"
            variant="light"
            title="Address attested"
            withCloseButton
            onClose={() => setDone(undefined)}
          >
            {done.email} is marked verified; the activity log records that you vouched for it.
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

const ATTEST = '/api/v1/users/{id}/email-attestation' as const;
