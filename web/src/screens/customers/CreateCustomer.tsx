import {
  Alert,
  Button,
  Code,
  Divider,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { predictRoleAdvisories } from '../../advisories';
import { type ApiError, api, must } from '../../api/client';
import type { Role, Warning } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { grantableFor, RolePicker } from '../../components/RolePicker';
import { Warnings } from '../../components/Warnings';
import { href } from '../../nav';
import { useMe } from '../../session';

type Kind = 'reseller' | 'consumer' | 'carrier';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'consumer', label: 'End customer' },
  { value: 'reseller', label: 'Reseller' },
  { value: 'carrier', label: 'Carrier' },
];

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

/** The sales function: a direct customer with its primary login, in one step (R5). */
export function CreateCustomer({ roles, onClose, onCreated }: { roles: Role[]; onClose(): void; onCreated(): void }) {
  const me = useMe();
  const [kind, setKind] = useState<Kind>('consumer');
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const [loginName, setLoginName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [picked, setPicked] = useState<string[]>(['AdministrationBasic']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [created, setCreated] = useState<{ slug: string; login?: string; userId?: string; warnings: Warning[] }>();
  const offered = grantableFor(roles, kind);
  const before = predictRoleAdvisories({ type: 'primary', homeTenantKind: kind }, picked, roles);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const login = loginName.trim();
      const res = await must(
        api.POST('/api/v1/tenants/{id}/children', {
          params: { path: { id: me.actingTenant.id } },
          body: {
            kind,
            name: name.trim(),
            slug,
            ...(login
              ? {
                  primaryUser: {
                    loginName: login,
                    ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
                    ...(email.trim() ? { email: email.trim() } : {}),
                    ...(password ? { password } : {}),
                    roles: picked,
                  },
                }
              : {}),
          },
        }),
      );
      setCreated({
        slug: res.tenant.slug,
        ...(res.primaryUser ? { login: res.primaryUser.loginName, userId: res.primaryUser.id } : {}),
        warnings: res.warnings,
      });
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };

  return (
    <Modal opened onClose={onClose} title="Create customer" size="lg">
      {created ? (
        <Stack>
          <Alert color="green" title="Customer created">
            {created.login ? (
              <Text size="sm">
                The primary user signs in with tenant <Code>{created.slug}</Code> and login <Code>{created.login}</Code>
                {password
                  ? ', and changes the initial password at first sign-in.'
                  : '; send a password reset link from its user page.'}
              </Text>
            ) : (
              <Text size="sm">Tenant {created.slug} has no primary user yet.</Text>
            )}
          </Alert>
          <Warnings warnings={created.warnings} when="after" />
          <Group justify="flex-end">
            {created.userId && (
              <Button component="a" variant="default" href={href('users', created.userId)} onClick={onClose}>
                Open primary user
              </Button>
            )}
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <ProblemAlert error={error} />
            <div>
              <Text size="sm" fw={500} mb={4} id="kind-label">
                Kind
              </Text>
              <SegmentedControl
                aria-labelledby="kind-label"
                data={KINDS}
                value={kind}
                onChange={(v) => setKind(v as Kind)}
              />
            </div>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Name"
                value={name}
                onChange={(e) => {
                  setName(e.currentTarget.value);
                  if (!slugTouched) setSlug(slugOf(e.currentTarget.value));
                }}
                required
                data-autofocus
              />
              <TextInput
                label="Slug"
                description="Typed at sign-in; lower-case letters, digits and dashes"
                value={slug}
                onChange={(e) => {
                  setSlugTouched(true);
                  setSlug(e.currentTarget.value);
                }}
                required
              />
            </SimpleGrid>
            <Divider label="Primary user" labelPosition="left" />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Primary login name"
                value={loginName}
                onChange={(e) => setLoginName(e.currentTarget.value)}
                autoCapitalize="none"
              />
              <TextInput
                label="Primary display name"
                value={displayName}
                onChange={(e) => setDisplayName(e.currentTarget.value)}
              />
              <TextInput
                label="Primary email"
                type="email"
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
              <PasswordInput
                label="Initial password"
                description="Changed at first sign-in"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="new-password"
              />
            </SimpleGrid>
            {loginName.trim() && (
              <>
                <RolePicker roles={offered} value={picked} onChange={setPicked} label="Roles of the primary user" />
                <Warnings warnings={before} when="before" />
              </>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create customer
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
