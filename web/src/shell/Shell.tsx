import { AppShell, Badge, Burger, Button, Group, Menu, NavLink, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, useState } from 'react';
import { href } from '../nav';
import { useMe, useSession } from '../session';
import { OwnPassword } from './OwnPassword';
import { TenantSwitcher } from './TenantSwitcher';

export interface Screen {
  key: string;
  label: string;
  /** Shown when the acting user holds any of these (the server checks again on each request). */
  anyOf?: string[];
}

export const SCREENS: Screen[] = [
  { key: 'users', label: 'Users', anyOf: ['users.read'] },
  { key: 'customers', label: 'Customers', anyOf: ['customers.read'] },
  { key: 'sharing', label: 'Sharing', anyOf: ['shares.manage'] },
  // Before the screens everyone sees: an operator lands here.
  { key: 'operations', label: 'Operations', anyOf: ['system.health.read'] },
  { key: 'roles', label: 'Roles & permissions' },
  { key: 'security', label: 'Security' },
  { key: 'activity', label: 'Activity log', anyOf: ['audit.read'] },
  { key: 'apps', label: 'Apps', anyOf: ['apps.manage'] },
  { key: 'webhooks', label: 'Webhooks', anyOf: ['webhooks.manage'] },
  {
    key: 'settings',
    label: 'Settings',
    anyOf: ['companies.manage', 'fields.manage', 'sso.manage', 'users.export', 'users.import'],
  },
];

export function visibleScreens(permissions: string[]): Screen[] {
  return SCREENS.filter((s) => !s.anyOf || s.anyOf.some((p) => permissions.includes(p)));
}

export function Shell({ active, children }: { active: string; children: ReactNode }) {
  const me = useMe();
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const [changing, setChanging] = useState(false);
  const acting = me.actingTenant;
  const away = acting.id !== me.user.tenantId;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Toggle navigation" />
            {/* The product name is not a heading: each screen's h1 is the first heading. */}
            <Text fw={800} size="lg" c="indigo.8">
              Kontor
            </Text>
            <TenantSwitcher />
            {away && (
              <Badge color="orange" variant="light" visibleFrom="md">
                acting via share
              </Badge>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button variant="subtle" size="xs" aria-label={`Account: ${me.user.displayName}`}>
                  <Text span size="sm" visibleFrom="md">
                    {me.user.displayName}
                  </Text>
                  <Text span size="sm" hiddenFrom="md">
                    Account
                  </Text>
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me.user.loginName}</Menu.Label>
                {me.permissions.includes('account.password.change') ? (
                  <Menu.Item onClick={() => setChanging(true)}>Change password</Menu.Item>
                ) : (
                  <Menu.Item disabled>Your roles do not let you change your password here</Menu.Item>
                )}
              </Menu.Dropdown>
            </Menu>
            {changing && <OwnPassword onClose={() => setChanging(false)} />}
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {visibleScreens(me.permissions).map((s) => (
          <NavLink
            key={s.key}
            href={href(s.key)}
            label={s.label}
            active={active === s.key}
            onClick={close}
            aria-current={active === s.key ? 'page' : undefined}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0">{children}</AppShell.Main>
    </AppShell>
  );
}
