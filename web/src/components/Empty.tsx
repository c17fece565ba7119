import { EmptyState } from '@mantine/core';
import type { ReactNode } from 'react';

/** An empty list says what to do next, never just "no data". */
export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <EmptyState
      title={title}
      description={children}
      variant="light"
      size="sm"
      py="xl"
      withIndicatorBackground={false}
    />
  );
}
