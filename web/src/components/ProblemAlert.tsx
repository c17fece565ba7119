import { Alert, List } from '@mantine/core';
import { ApiError } from '../api/client';
import { plainTitle } from '../problems';

/** A refusal or failure in plain words: the rule, the server's detail, and any field errors. */
export function ProblemAlert({ error, onClose }: { error: ApiError | undefined; onClose?: () => void }) {
  if (!error) return null;
  // Anything that is not an API answer still shows as a sentence, never as a stack.
  const p =
    error instanceof ApiError
      ? error.problem
      : { status: 0, code: 'unknown', title: 'Something went wrong', detail: (error as Error).message ?? '' };
  const title = plainTitle(p);
  // One wording once: a detail that only repeats the title is not shown a second time.
  const same = (a: string) => a.trim().replace(/\.$/, '').toLowerCase();
  const detail = same(p.detail ?? '') === same(title) ? '' : p.detail;
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      role="alert"
      withCloseButton={onClose !== undefined}
      onClose={onClose}
    >
      {detail}
      {p.errors && p.errors.length > 0 && (
        <List size="sm" mt="xs">
          {p.errors.map((e) => (
            <List.Item key={`${e.field}-${e.code}`}>
              {e.field}: {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
