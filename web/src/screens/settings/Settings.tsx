import { Paper, Tabs } from '@mantine/core';
import { Page } from '../../components/Page';
import { useSession } from '../../session';
import { Companies } from './Companies';
import { Fields } from './Fields';
import { ImportExport } from './ImportExport';
import { SsoConnections } from './SsoConnections';

export function Settings() {
  const { can } = useSession();
  const tabs = [
    { value: 'companies', label: 'Companies', show: can('companies.manage'), panel: <Companies /> },
    { value: 'fields', label: 'Custom fields', show: can('fields.manage'), panel: <Fields /> },
    { value: 'sso', label: 'Single sign-on', show: can('sso.manage'), panel: <SsoConnections /> },
    {
      value: 'transfer',
      label: 'Import & export',
      show: can('users.export') || can('users.import'),
      panel: <ImportExport />,
    },
  ].filter((t) => t.show);
  return (
    <Page title="Settings" description="Companies, custom user fields, single sign-on, and moving users in and out.">
      <Tabs defaultValue={tabs[0]?.value ?? null} keepMounted={false}>
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((t) => (
          <Tabs.Panel key={t.value} value={t.value} pt="md">
            <Paper withBorder p="md" radius="md">
              {t.panel}
            </Paper>
          </Tabs.Panel>
        ))}
      </Tabs>
    </Page>
  );
}
