import { Alert, Button, Code, CopyButton, Stack, Text } from '@mantine/core';

/** A webhook secret fresh from the server: shown this once, with a copy button. */
export function WebhookSecret({ secret, onClose }: { secret: string; onClose(): void }) {
  return (
    <Alert
      color="blue"
      variant="light"
      title="Copy the signing secret now: it is shown only once"
      withCloseButton
      onClose={onClose}
    >
      <Stack gap="xs">
        <Code block aria-label="Signing secret">
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
          Verify each delivery with a Standard Webhooks library and this secret. Lost it? Rotate it on the
          subscription's page.
        </Text>
      </Stack>
    </Alert>
  );
}
