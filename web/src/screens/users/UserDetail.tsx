import { Anchor, Badge, Grid, Group, Stack, Text } from '@mantine/core';
import { api, must } from '../../api/client';
import { useRoles } from '../../catalogue';
import { Loading } from '../../components/Loading';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { EmailBadge, RelationBadge } from '../../components/StateBadge';
import { href } from '../../nav';
import { useMe } from '../../session';
import { useLoad } from '../../use-load';
import { UserActions } from './UserActions';
import { UserEmail } from './UserEmail';
import { UserProfile } from './UserProfile';
import { UserRoles } from './UserRoles';
import { SharedFrom, UserShares, useUserShares } from './UserShares';
import { UserSsoLinks } from './UserSsoLinks';

export function UserDetail({ id }: { id: string }) {
  const me = useMe();
  const roles = useRoles();
  const user = useLoad(
    () => must(api.GET('/api/v1/users/{id}', { params: { path: { id } } })),
    [id, me.actingTenant.id],
  );
  const u = user.data;
  const shares = useUserShares(id);
  // Advisories depend on the kind of the user's home tenant: the acting tenant for own users,
  // a direct customer for a customer's primary user.
  const homeKind = useLoad(async () => {
    if (!u || u.tenantId === me.actingTenant.id) return me.actingTenant.kind;
    if (u.relation !== 'customer_primary') return undefined;
    return (await must(api.GET('/api/v1/tenants/{id}', { params: { path: { id: u.tenantId } } }))).kind;
  }, [u?.tenantId, u?.relation, me.actingTenant.id]);

  const back = (
    <Anchor href={href('users')} size="sm">
      ← All users
    </Anchor>
  );
  if (!u)
    return (
      <Stack>
        {back}
        {user.error ? <ProblemAlert error={user.error} /> : <Loading label="Loading user" />}
      </Stack>
    );
  return (
    <Stack gap="xs">
      {back}
      <Page
        title={u.displayName}
        description={
          <Group gap="xs" component="span">
            <Text span size="sm" ff="monospace">
              {u.loginName}
            </Text>
            {u.email && (
              <>
                <Text span size="sm">
                  · {u.email}
                </Text>
                <EmailBadge email={u.email} verified={u.emailVerified} />
              </>
            )}
            <Badge variant="outline" tt="none" size="sm">
              {u.type} user
            </Badge>
            <RelationBadge relation={u.relation} />
            <SharedFrom user={u} shares={shares} />
          </Group>
        }
      >
        <Grid>
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Stack>
              <UserRoles key={`roles-${u.id}`} user={u} homeKind={homeKind.data} roles={roles} onSaved={user.reload} />
              <UserProfile key={`profile-${u.id}`} user={u} onSaved={user.reload} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack>
              <UserActions user={u} onChanged={user.reload} />
              <UserEmail user={u} onChanged={user.reload} />
              <UserShares shares={shares} />
              <UserSsoLinks user={u} />
            </Stack>
          </Grid.Col>
        </Grid>
      </Page>
    </Stack>
  );
}
