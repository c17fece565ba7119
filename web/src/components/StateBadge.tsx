import { Badge } from '@mantine/core';

// A clipped label ("a…") tells nothing: state and origin badges keep their full width in tables.
const whole = { label: { overflow: 'visible' } } as const;

const COLOR: Record<string, string> = { active: 'green', locked: 'orange', disabled: 'gray', suspended: 'orange' };

export function StateBadge({ state }: { state: string }) {
  return (
    <Badge color={COLOR[state] ?? 'gray'} variant="dot" tt="none" styles={whole}>
      {state}
    </Badge>
  );
}

const RELATION: Record<string, [string, string]> = {
  own: ['own', 'blue'],
  shared: ['imported share', 'orange'],
  customer_primary: ['customer primary', 'teal'],
};

/** Own user, imported share, or the primary user of a direct customer. */
export function RelationBadge({ relation }: { relation: string }) {
  const [label, color] = RELATION[relation] ?? [relation, 'gray'];
  return (
    <Badge color={color} variant="light" tt="none" styles={whole}>
      {label}
    </Badge>
  );
}

/**
 * Whether the address is verified (its owner followed the link, or an administrator attested it).
 * Nothing without an address: "unverified" would suggest there were one to verify.
 */
export function EmailBadge({ email, verified }: { email: string | null | undefined; verified: boolean }) {
  if (!email) return null;
  return (
    <Badge color={verified ? 'green' : 'yellow'} variant="light" size="sm" tt="none" styles={whole}>
      {verified ? 'verified' : 'unverified'}
    </Badge>
  );
}
