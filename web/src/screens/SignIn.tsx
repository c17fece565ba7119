import {
  Alert,
  Anchor,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, must } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';
import { type SecondStep, useSession } from '../session';
import { useLoad } from '../use-load';
import { SecondFactor } from './SecondFactor';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Remembered per browser: an MSP technician types the tenant slug once, not at every sign-in. */
const LAST_TENANT = 'kontor.lastTenant';

function SsoButtons({ tenant, returnTo }: { tenant: string; returnTo: string }) {
  const [slug] = useDebouncedValue(tenant.trim().toLowerCase(), 400);
  const options = useLoad(
    async () =>
      SLUG.test(slug)
        ? (await must(api.GET('/api/v1/auth/sso/options', { params: { query: { tenant: slug } } }))).items
        : [],
    [slug],
  );
  const items = options.data ?? [];
  if (items.length === 0) return null;
  return (
    <>
      <Divider label="or sign in with" labelPosition="center" />
      <Stack gap="xs">
        {items.map((o) => (
          <Button
            key={o.id}
            component="a"
            href={`${o.startUrl}&returnTo=${encodeURIComponent(returnTo)}`}
            variant="default"
          >
            {o.name}
          </Button>
        ))}
      </Stack>
    </>
  );
}

export function SignIn({ notice, returnTo }: { notice?: string | undefined; returnTo?: string | undefined }) {
  const { signIn } = useSession();
  const [tenant, setTenant] = useState(() => localStorage.getItem(LAST_TENANT) ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [step, setStep] = useState<SecondStep>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const second = await signIn({ tenant: tenant.trim().toLowerCase(), username: username.trim(), password });
      localStorage.setItem(LAST_TENANT, tenant.trim().toLowerCase());
      if (second) {
        setPassword('');
        setStep(second);
        setBusy(false);
      }
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={400} maw="100%">
        {step ? (
          <SecondFactor step={step} onCancel={() => setStep(undefined)} />
        ) : (
          <form onSubmit={submit} aria-labelledby="sign-in-title">
            <Stack>
              <div>
                <Title id="sign-in-title" order={1} size="h2">
                  Sign in to Kontor
                </Title>
                <Text c="dimmed" size="sm">
                  Identity and permissions for your tenant
                </Text>
              </div>
              {notice && (
                <Alert color="blue" variant="light">
                  {notice}
                </Alert>
              )}
              <ProblemAlert error={error} />
              <TextInput
                label="Tenant"
                description="The short name of your organisation, e.g. acme"
                value={tenant}
                onChange={(e) => setTenant(e.currentTarget.value)}
                autoComplete="organization"
                autoCapitalize="none"
                required
              />
              <TextInput
                label="Login name"
                value={username}
                onChange={(e) => setUsername(e.currentTarget.value)}
                autoComplete="username"
                autoCapitalize="none"
                required
              />
              <PasswordInput
                label="Password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="current-password"
                required
              />
              <Button type="submit" loading={busy} fullWidth>
                Sign in
              </Button>
              <SsoButtons tenant={tenant} returnTo={returnTo ?? '/'} />
              <Text size="xs" c="dimmed" ta="center">
                Forgot your password? Ask an administrator of your tenant for a reset link. API reference:{' '}
                <Anchor href="/docs" size="xs">
                  /docs
                </Anchor>
              </Text>
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
