import { Alert, Button, Code, CopyButton, Stack, Text } from '@mantine/core';

/** A client secret fresh from the server: shown this once, with a copy button. */
export function ClientSecret({ clientId, secret, onClose }: { clientId: string; secret: string; onClose(): void }) {
  return (
    <Alert
      color="blue"
      variant="light"
      title="Copy the client secret now: it is shown only once"
      withCloseButton
      onClose={onClose}
    >
      <Stack gap="xs">
        <Text size="sm">
          client_id <Code>{clientId}</Code>
        </Text>
        <Code block aria-label="Client secret">
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy} w="fit-content">
              {copied ? 'Copied' : 'Copy secret'}
            </Button>
          )}
        </CopyButton>
        <Text size="xs" c="dimmed">
          Kontor keeps only a hash of it. Lost it? Rotate the secret on the app's page.
        </Text>
      </Stack>
    </Alert>
  );
}
