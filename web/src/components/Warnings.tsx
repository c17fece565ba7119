import { Alert, List } from '@mantine/core';
import type { Warning } from '../api/types';

/** Advisories: allowed, but worth a second thought. `when` tells before or after saving. */
export function Warnings({ warnings, when, title }: { warnings: Warning[]; when: 'before' | 'after'; title?: string }) {
  if (warnings.length === 0) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      title={title ?? (when === 'before' ? 'Advisory: allowed, but check before saving' : 'Saved, with an advisory')}
    >
      <List size="sm">
        {warnings.map((w) => (
          <List.Item key={w.code}>{w.message}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
