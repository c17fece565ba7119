import { Alert, List, Text } from '@mantine/core';

export interface ConnectionCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface CheckReport {
  name: string;
  checks: ConnectionCheck[];
}

const LABEL: Record<string, string> = {
  discovery: 'Discovery document',
  issuer: 'Issuer',
  code_flow: 'Code flow with PKCE',
  algorithms: 'Signing algorithm',
  jwks: 'Signing keys',
};

/** What saving or testing a connection found at the provider: each check in plain words. */
export function ConnectionChecks({ report, onClose }: { report: CheckReport; onClose(): void }) {
  const ok = report.checks.every((c) => c.ok);
  return (
    <section aria-label="Connection check">
      <Alert
        color={ok ? 'green' : 'yellow'}
        title={ok ? `${report.name}: the provider fits this set-up` : `${report.name}: fix this before people sign in`}
        withCloseButton
        onClose={onClose}
        closeButtonLabel="Close the check"
      >
        <List size="sm" spacing={4}>
          {report.checks.map((c) => (
            <List.Item key={c.check} icon={<Text span>{c.ok ? '✓' : '✗'}</Text>}>
              <Text span fw={500}>
                {LABEL[c.check] ?? c.check}:
              </Text>{' '}
              {c.detail}
            </List.Item>
          ))}
        </List>
      </Alert>
    </section>
  );
}
