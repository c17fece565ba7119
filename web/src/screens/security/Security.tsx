import { Page } from '../../components/Page';
import { useSession } from '../../session';
import { Advisories } from './Advisories';
import { Tokens } from './Tokens';

export function Security() {
  const { can } = useSession();
  return (
    <Page title="Security" description="Risky set-ups to review, and your tokens for automation.">
      {can('advisories.read') && <Advisories />}
      <Tokens />
    </Page>
  );
}
