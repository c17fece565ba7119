import type { Command } from 'commander';
import type { AppOwner, AppView } from '../app/apps/app-access.js';
import { createApp } from '../app/apps/create-app.js';
import { listApps } from '../app/apps/list-apps.js';
import { removeApp } from '../app/apps/remove-app.js';
import { rotateAppSecret } from '../app/apps/rotate-app-secret.js';
import { appsDeps, type Kontor } from '../compose.js';
import type { AppAuthMethod, AppGrantType } from '../domain/apps.js';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

type WithKontor = <T>(fn: (k: Kontor) => Promise<T>) => Promise<T>;

interface AddOptions {
  name: string;
  redirectUri?: string[];
  postLogoutUri?: string[];
  backchannelLogoutUri?: string;
  public?: boolean;
  authMethod?: string;
  firstParty?: boolean;
  scope?: string[];
  grant?: string[];
  tenant?: string;
}

const ownerOf = (tenant: string | undefined): Exclude<AppOwner, 'any'> =>
  tenant === undefined ? 'operator' : { tenantSlug: tenant };

function printSecret(secret: string | undefined): void {
  if (secret === undefined) return;
  out(`  client_secret: ${secret}`);
  out('  (shown once: Kontor keeps only its hash; `kontor apps rotate-secret` makes a new one)');
}

const describe = (a: AppView): string =>
  `${a.id}  ${a.name}  ${a.kind}/${a.authMethod}${a.firstParty ? '  first-party' : ''}${a.enabled ? '' : '  DISABLED'}`;

/**
 * `kontor apps add|list|rotate-secret|remove` (issue 15 #2): the operator registers apps on the
 * server's database, with no actor (audited `by: operator`). Without --tenant an app is the
 * installation's own; with it, the named tenant's.
 */
export function registerAppsCommand(program: Command, withKontor: WithKontor): void {
  const apps = program.command('apps').description('apps that sign people in through Kontor (OAuth clients)');

  apps
    .command('add')
    .description('register an app; its client secret is printed once')
    .requiredOption('--name <name>', 'the name people see on the consent screen')
    .option('--redirect-uri <uri...>', 'exact redirect URI (https, or http on 127.0.0.1/[::1]/localhost); repeatable')
    .option('--post-logout-uri <uri...>', 'exact URI logout may return to; repeatable')
    .option('--backchannel-logout-uri <uri>', 'where Kontor posts back-channel logout tokens')
    .option('--public', 'a public client (browser or native app): no secret, PKCE')
    .option('--auth-method <method>', 'client_secret_basic (default), client_secret_post')
    .option('--first-party', 'skip the consent screen (the vendor’s own apps)')
    .option('--scope <scope...>', 'allowed scopes (default: openid profile email kontor.tenant)')
    .option('--grant <grant...>', 'grant types: authorization_code (default), refresh_token, client_credentials')
    .option('--tenant <slug>', 'register the app for this tenant instead of the whole installation')
    .action(async (opts: AddOptions) =>
      withKontor(async (k) => {
        const app = await createApp(appsDeps(k), null, ownerOf(opts.tenant), {
          name: opts.name,
          kind: opts.public ? 'public' : 'confidential',
          ...(opts.authMethod ? { authMethod: opts.authMethod as AppAuthMethod } : {}),
          redirectUris: opts.redirectUri ?? [],
          postLogoutRedirectUris: opts.postLogoutUri ?? [],
          backchannelLogoutUri: opts.backchannelLogoutUri ?? null,
          ...(opts.scope ? { scopes: opts.scope } : {}),
          ...(opts.grant ? { grantTypes: opts.grant as AppGrantType[] } : {}),
          firstParty: opts.firstParty === true,
        });
        out(`Registered ${app.name} for ${opts.tenant ? `tenant ${opts.tenant}` : 'the installation'}:`);
        out(`  client_id:     ${app.id}`);
        printSecret(app.clientSecret);
      }),
    );

  apps
    .command('list')
    .description('list the installation’s apps, or a tenant’s (no secrets)')
    .option('--tenant <slug>', 'the tenant whose apps to list')
    .action(async (opts: { tenant?: string }) =>
      withKontor(async (k) => {
        const list = await listApps(appsDeps(k), null, ownerOf(opts.tenant));
        if (list.length === 0) out('No apps.');
        for (const a of list) {
          out(describe(a));
          for (const u of a.redirectUris) out(`    redirect  ${u}`);
        }
      }),
    );

  apps
    .command('rotate-secret <id>')
    .description('give an app a new client secret, printed once; the old one stops working at once')
    .action(async (id: string) =>
      withKontor(async (k) => {
        const app = await rotateAppSecret(appsDeps(k), null, 'any', id);
        out(`New secret for ${app.name} (${app.id}):`);
        printSecret(app.clientSecret);
      }),
    );

  apps
    .command('remove <id>')
    .description('remove an app (any tenant’s, by client_id)')
    .action(async (id: string) =>
      withKontor(async (k) => {
        await removeApp(appsDeps(k), null, 'any', id);
        out(`Removed ${id}.`);
      }),
    );
}
