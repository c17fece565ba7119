import { Center } from '@mantine/core';
import { Loading } from './components/Loading';
import { Page } from './components/Page';
import { linkToken } from './link-token';
import { useRoute } from './nav';
import { Activity } from './screens/activity/Activity';
import { AppDetail } from './screens/apps/AppDetail';
import { Apps } from './screens/apps/Apps';
import { ChangePassword } from './screens/ChangePassword';
import { ConfirmSignup } from './screens/ConfirmSignup';
import { CustomerDetail } from './screens/customers/CustomerDetail';
import { Customers } from './screens/customers/Customers';
import { returnPath } from './screens/oidc/interaction-api';
import { OidcChoose } from './screens/oidc/OidcChoose';
import { OidcConsent } from './screens/oidc/OidcConsent';
import { Operations } from './screens/operations/Operations';
import { Roles } from './screens/Roles';
import { SetPassword } from './screens/SetPassword';
import { SignIn } from './screens/SignIn';
import { Security } from './screens/security/Security';
import { Settings } from './screens/settings/Settings';
import { Sharing } from './screens/sharing/Sharing';
import { UserDetail } from './screens/users/UserDetail';
import { Users } from './screens/users/Users';
import { VerifyEmail } from './screens/VerifyEmail';
import { WebhookDetail } from './screens/webhooks/WebhookDetail';
import { Webhooks } from './screens/webhooks/Webhooks';
import { useSession } from './session';
import { Shell, visibleScreens } from './shell/Shell';

function Screen({ route }: { route: string[] }) {
  const [screen, arg] = route;
  switch (screen) {
    case 'users':
      return arg ? <UserDetail id={arg} /> : <Users />;
    case 'customers':
      return arg ? <CustomerDetail id={arg} /> : <Customers />;
    case 'sharing':
      return <Sharing />;
    case 'operations':
      return <Operations />;
    case 'roles':
      return <Roles />;
    case 'security':
      return <Security />;
    case 'activity':
      return <Activity />;
    case 'settings':
      return <Settings />;
    case 'apps':
      return arg ? <AppDetail id={arg} /> : <Apps />;
    case 'webhooks':
      return arg ? <WebhookDetail id={arg} /> : <Webhooks />;
    default:
      return <Page title="Not found">This page does not exist. Pick a screen on the left.</Page>;
  }
}

export function App() {
  const { state } = useSession();
  const route = useRoute();
  const token = linkToken;
  if (window.location.pathname === '/set-password') return <SetPassword token={token} />;
  if (window.location.pathname === '/signup/confirm') return <ConfirmSignup token={token} />;
  if (window.location.pathname === '/verify-email') return <VerifyEmail token={token} />;
  if (state.status === 'loading')
    return (
      <Center mih="100vh">
        <Loading label="Starting the console" />
      </Center>
    );
  const back = returnPath(window.location.search);
  if (state.status === 'signed-out') return <SignIn notice={state.notice} returnTo={back} />;
  // An app's sign-in through Kontor's OpenID Provider goes on where it stopped.
  if (back && !state.me.user.mustChangePassword) {
    window.location.assign(back);
    return <Loading label="Back to the app" />;
  }
  if (state.me.user.mustChangePassword) return <ChangePassword />;
  const uid = new URLSearchParams(window.location.search).get('uid') ?? '';
  if (window.location.pathname === '/oidc-choose') return <OidcChoose uid={uid} />;
  if (window.location.pathname === '/oidc-consent') return <OidcConsent uid={uid} />;
  const screens = visibleScreens(state.me.permissions);
  const effective = route.length > 0 ? route : [screens[0]?.key ?? 'roles'];
  return (
    <Shell active={effective[0] ?? ''}>
      <Screen route={effective} />
    </Shell>
  );
}
