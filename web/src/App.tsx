import { Center } from '@mantine/core';
import { Loading } from './components/Loading';
import { Page } from './components/Page';
import { useRoute } from './nav';
import { Activity } from './screens/activity/Activity';
import { ChangePassword } from './screens/ChangePassword';
import { ConfirmSignup } from './screens/ConfirmSignup';
import { Customers } from './screens/customers/Customers';
import { Roles } from './screens/Roles';
import { SetPassword } from './screens/SetPassword';
import { SignIn } from './screens/SignIn';
import { Security } from './screens/security/Security';
import { Settings } from './screens/settings/Settings';
import { Sharing } from './screens/sharing/Sharing';
import { UserDetail } from './screens/users/UserDetail';
import { Users } from './screens/users/Users';
import { useSession } from './session';
import { Shell, visibleScreens } from './shell/Shell';

function Screen({ route }: { route: string[] }) {
  const [screen, arg] = route;
  switch (screen) {
    case 'users':
      return arg ? <UserDetail id={arg} /> : <Users />;
    case 'customers':
      return <Customers />;
    case 'sharing':
      return <Sharing />;
    case 'roles':
      return <Roles />;
    case 'security':
      return <Security />;
    case 'activity':
      return <Activity />;
    case 'settings':
      return <Settings />;
    default:
      return <Page title="Not found">This page does not exist. Pick a screen on the left.</Page>;
  }
}

export function App() {
  const { state } = useSession();
  const route = useRoute();
  // Links from mails carry their token in the fragment, which never reaches a server log.
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  if (window.location.pathname === '/set-password') return <SetPassword token={token} />;
  if (window.location.pathname === '/signup/confirm') return <ConfirmSignup token={token} />;
  if (state.status === 'loading')
    return (
      <Center mih="100vh">
        <Loading label="Starting the console" />
      </Center>
    );
  if (state.status === 'signed-out') return <SignIn notice={state.notice} />;
  if (state.me.user.mustChangePassword) return <ChangePassword />;
  const screens = visibleScreens(state.me.permissions);
  const effective = route.length > 0 ? route : [screens[0]?.key ?? 'roles'];
  return (
    <Shell active={effective[0] ?? ''}>
      <Screen route={effective} />
    </Shell>
  );
}
