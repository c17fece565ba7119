import {
  Button,
  Fieldset,
  Group,
  MultiSelect,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { Json } from '../../api/types';
import { useRoles } from '../../catalogue';

export type Connection = Json<'/api/v1/tenants/{id}/sso-connections/{connectionId}', 'get'>;
type LinkPolicy = 'manual' | 'verified-email' | 'jit';
const POLICIES = [
  { value: 'manual', label: 'Manual: an administrator or the user links accounts' },
  { value: 'verified-email', label: 'Verified email inside the vouched domains' },
  { value: 'jit', label: 'Just-in-time: create users at first sign-in' },
];

/** What the form sends: the create body, and (with the secret left out when blank) the PATCH body. */
export interface ConnectionFields {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes?: string[];
  idTokenAlgs?: string[];
  claimMapping: { subject?: string[]; email?: string; name?: string };
  vouchedDomains: string[];
  linkPolicy: LinkPolicy;
  jitRoles: string[];
  offeredToSubtree: boolean;
  enabled: boolean;
}

/**
 * Every setting of an OIDC connection, for adding one and for changing one (`initial`). Empty
 * lists and claims keep the server's defaults (scopes `openid email profile`, subject `sub`);
 * the secret is write-only: left blank on an edit, the stored one stays.
 */
export function ConnectionForm({
  initial,
  busy,
  onSubmit,
  onCancel,
}: {
  initial?: Connection;
  busy: boolean;
  onSubmit(f: ConnectionFields): Promise<boolean>;
  onCancel?: () => void;
}) {
  const roles = useRoles();
  const [name, setName] = useState(initial?.name ?? '');
  const [issuer, setIssuer] = useState(initial?.issuer ?? '');
  const [clientId, setClientId] = useState(initial?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scopes, setScopes] = useState<string[]>(initial?.scopes ?? []);
  const [algs, setAlgs] = useState<string[]>(initial?.idTokenAlgs ?? []);
  const [subject, setSubject] = useState<string[]>(initial?.claimMapping.subject ?? []);
  const [emailClaim, setEmailClaim] = useState(initial?.claimMapping.email ?? '');
  const [nameClaim, setNameClaim] = useState(initial?.claimMapping.name ?? '');
  const [domains, setDomains] = useState<string[]>(initial?.vouchedDomains ?? []);
  const [policy, setPolicy] = useState<LinkPolicy>((initial?.linkPolicy as LinkPolicy) ?? 'manual');
  const [jitRoles, setJitRoles] = useState<string[]>(initial?.jitRoles ?? []);
  const [subtree, setSubtree] = useState(initial?.offeredToSubtree ?? false);
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const edit = initial !== undefined;
  // JIT users are ordinary members: business roles only, never administration or operation.
  const business = roles.filter((r) => r.category === 'business').map((r) => ({ value: r.key, label: r.name }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await onSubmit({
      name: name.trim(),
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      ...(clientSecret ? { clientSecret } : {}),
      // Empty means the server's defaults: sent only when set (an edit starts from the stored ones).
      ...(scopes.length > 0 ? { scopes } : {}),
      ...(algs.length > 0 ? { idTokenAlgs: algs } : {}),
      claimMapping: {
        ...(subject.length > 0 ? { subject } : {}),
        ...(emailClaim.trim() ? { email: emailClaim.trim() } : {}),
        ...(nameClaim.trim() ? { name: nameClaim.trim() } : {}),
      },
      vouchedDomains: domains,
      linkPolicy: policy,
      jitRoles: policy === 'jit' ? jitRoles : [],
      offeredToSubtree: subtree,
      enabled,
    });
    if (done && !edit) {
      setName('');
      setIssuer('');
      setClientId('');
      setClientSecret('');
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label={edit ? `Edit ${initial.name}` : 'Add an SSO connection'}>
      <Stack>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Name on the sign-in button"
            placeholder="Contoso Entra ID"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <TextInput
            label="Issuer"
            placeholder="https://login.example.com/tenant/v2.0"
            value={issuer}
            onChange={(e) => setIssuer(e.currentTarget.value)}
            required
          />
          <TextInput label="Client ID" value={clientId} onChange={(e) => setClientId(e.currentTarget.value)} required />
          <PasswordInput
            label="Client secret"
            description={
              edit && initial.hasClientSecret
                ? 'Stored encrypted; leave blank to keep the stored one'
                : 'Stored encrypted; never shown again'
            }
            value={clientSecret}
            onChange={(e) => setClientSecret(e.currentTarget.value)}
            autoComplete="off"
          />
          <TagsInput label="Vouched email domains" placeholder="example.com" value={domains} onChange={setDomains} />
          <Select
            label="Linking accounts"
            data={POLICIES}
            value={policy}
            onChange={(v) => setPolicy((v ?? 'manual') as LinkPolicy)}
            allowDeselect={false}
          />
          {policy === 'jit' && (
            <MultiSelect
              label="Roles of users created at first sign-in"
              data={business}
              value={jitRoles}
              onChange={setJitRoles}
              searchable
            />
          )}
        </SimpleGrid>
        <Fieldset legend="Protocol (leave empty for the defaults)" variant="unstyled">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TagsInput label="Scopes" description="Default: openid email profile" value={scopes} onChange={setScopes} />
            <TagsInput
              label="Signing algorithms"
              description="idTokenAlgs; default RS256. For example ES256, PS256"
              value={algs}
              onChange={setAlgs}
            />
            <TagsInput
              label="Subject claims"
              description="Joined into one subject; Entra ID across tenants: tid, oid. Default: sub"
              value={subject}
              onChange={setSubject}
              maxTags={3}
            />
            <TextInput
              label="Email claim"
              placeholder="email"
              value={emailClaim}
              onChange={(e) => setEmailClaim(e.currentTarget.value)}
            />
            <TextInput
              label="Name claim"
              placeholder="name"
              value={nameClaim}
              onChange={(e) => setNameClaim(e.currentTarget.value)}
            />
          </SimpleGrid>
        </Fieldset>
        <Group justify="space-between">
          <Group>
            <Switch
              label="Offer to the tenants below (MSP sign-in)"
              checked={subtree}
              onChange={(e) => setSubtree(e.currentTarget.checked)}
            />
            <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          </Group>
          <Group>
            {onCancel && (
              <Button variant="default" onClick={onCancel}>
                Cancel
              </Button>
            )}
            <Button type="submit" loading={busy}>
              {edit ? 'Save connection' : 'Add connection'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
