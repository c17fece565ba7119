import type Provider from 'oidc-provider';
import type { AuthDeps, Principal } from '../app/auth/auth-deps.js';
import {
  confirmTenantChoice,
  type OidcTenantChoice,
  oidcTenantChoices,
  requestedTenantSlug,
} from '../app/oidc/acting-tenant.js';
import { linkedTenants } from '../app/sso/msp.js';
import type { App } from '../domain/apps.js';
import { AppError } from '../domain/errors.js';
import { RESOURCE_SCOPES } from './provider.js';

// biome-ignore lint/suspicious/noExplicitAny: oidc-provider's Interaction model is untyped
export type Interaction = any;

/** What the interaction remembers between the tenant choice and the consent page. */
interface Pending {
  userId: string;
  tenantId: string;
  /** Through an SSO link: the tenant the person came from. */
  cameFrom: string | null;
  /** The Kontor user who chose: only she may consent. */
  chosenBy: string;
}

export async function findInteraction(provider: Provider, uid: string): Promise<Interaction> {
  const i = await provider.Interaction.find(uid);
  if (!i) throw new AppError('oidc.interaction_not_found', 'Go back to the app and sign in again');
  return i;
}

export async function appOf(deps: AuthDeps, i: Interaction): Promise<App> {
  const app = await deps.store.read((r) => r.apps.findById(String(i.params.client_id)));
  if (!app?.enabled) throw new AppError('oidc.interaction_not_found', 'The app is no longer registered');
  return app;
}

/** The scopes the app asked for and may have. */
export function requestedScopes(i: Interaction, app: App): string[] {
  const asked = String(i.params.scope ?? '').split(' ');
  return asked.filter((s) => s.length > 0 && app.scopes.includes(s));
}

export type Step = { redirectTo: string; kind: 'finished' | 'choose' | 'consent' };

/**
 * Decides what the interaction needs for this person: the tenant named by the request (or the
 * only one possible), a choice among several, consent for a third-party app, or it finishes.
 * Throws `oidc.tenant_refused` when the named tenant is one the person may not act for.
 */
export async function proceed(provider: Provider, deps: AuthDeps, i: Interaction, p: Principal): Promise<Step> {
  const slug = requestedTenantSlug(i.params);
  let match: (c: OidcTenantChoice) => boolean;
  if (slug) match = (c) => c.tenant.slug === slug;
  else {
    const all = await oidcTenantChoices(deps, p);
    const only = all.length === 1 ? all[0] : undefined;
    if (!only) return { kind: 'choose', redirectTo: `/oidc-choose?uid=${encodeURIComponent(i.uid)}` };
    match = (c) => c.tenant.id === only.tenant.id;
  }
  const chosen = await confirmTenantChoice(deps, p, match);
  return choose(provider, deps, i, p, chosen.choice);
}

/** The tenant is chosen (and confirmed): consent for a third-party app, else finish. */
export async function choose(
  provider: Provider,
  deps: AuthDeps,
  i: Interaction,
  p: Principal,
  choice: OidcTenantChoice,
): Promise<Step> {
  const app = await appOf(deps, i);
  if (!app.firstParty) {
    const pending: Pending = {
      userId: choice.userId,
      tenantId: choice.tenant.id,
      cameFrom: choice.cameFrom,
      chosenBy: p.ctx.actor.userId,
    };
    await saveResult(i, { kontor: pending });
    return { kind: 'consent', redirectTo: `/oidc-consent?uid=${encodeURIComponent(i.uid)}` };
  }
  return { kind: 'finished', redirectTo: await finish(provider, deps, i, p, app, choice) };
}

/** The consent page's answer: approve finishes with the chosen tenant, refuse tells the app. */
export async function consent(
  provider: Provider,
  deps: AuthDeps,
  i: Interaction,
  p: Principal,
  approve: boolean,
): Promise<Step> {
  const pending = i.result?.kontor as Pending | undefined;
  if (!pending || pending.chosenBy !== p.ctx.actor.userId) {
    throw new AppError('oidc.interaction_not_found', 'Choose the tenant first');
  }
  if (!approve) {
    return {
      kind: 'finished',
      redirectTo: await saveResult(i, { error: 'access_denied', error_description: 'The person declined' }),
    };
  }
  const app = await appOf(deps, i);
  // Checked again: the consent page may have stayed open while the access went.
  const { choice } = await confirmTenantChoice(
    deps,
    p,
    (c) => c.userId === pending.userId && c.tenant.id === pending.tenantId,
  );
  return { kind: 'finished', redirectTo: await finish(provider, deps, i, p, app, choice) };
}

async function finish(
  provider: Provider,
  deps: AuthDeps,
  i: Interaction,
  p: Principal,
  app: App,
  choice: Pick<OidcTenantChoice, 'userId' | 'cameFrom'> & { tenant: { id: string } },
): Promise<string> {
  const accountId = choice.userId;
  const scopes = requestedScopes(i, app);
  const grant = new provider.Grant({ accountId, clientId: app.id });
  grant.addOIDCScope(scopes.join(' '));
  const resources = [i.params.resource ?? provider.issuer].flat() as string[];
  for (const resource of resources) {
    grant.addResourceScope(resource, scopes.filter((s) => RESOURCE_SCOPES.includes(s)).join(' '));
  }
  const grantId: string = await grant.save();
  await followAccount(provider, deps, i, p, accountId);
  await deps.store.read((r) => r.oidc.setGrantTenant(grantId, choice.tenant.id, choice.cameFrom));
  const amr = await authMethods(deps, p);
  return saveResult(i, { login: { accountId, amr, remember: true }, consent: { grantId } });
}

/**
 * Choosing a tenant reached through an SSO link makes the linked user the account. oidc-provider
 * would first end the OP session of the previous account — and with it every app's session, by
 * back-channel logout. When the previous account is the same person (the Kontor session acts as
 * it too: its own user or a linked one), the OP session's account follows instead, as the silent
 * switch in provider.ts does; anyone else still goes through oidc-provider's sign-out.
 */
async function followAccount(
  provider: Provider,
  deps: AuthDeps,
  i: Interaction,
  p: Principal,
  accountId: string,
): Promise<void> {
  const previous = i.session?.accountId;
  if (!previous || previous === accountId || !i.session?.uid) return;
  const samePerson = new Set([p.ctx.actor.userId, ...(await linkedTenants(deps, p)).map((l) => l.userId)]);
  if (!samePerson.has(previous) || !samePerson.has(accountId)) return;
  const session = await provider.Session.findByUid(i.session.uid);
  if (!session || session.accountId !== previous) return;
  session.loginAccount({
    accountId,
    loginTs: session.loginTs,
    amr: session.amr,
    acr: session.acr,
    transient: session.transient,
  });
  await session.persist();
}

async function authMethods(deps: AuthDeps, p: Principal): Promise<string[]> {
  // What the session recorded at sign-in (issue 16): ["pwd","otp"], ["hwk"], ["fed"] …
  if (p.amr && p.amr.length > 0) return p.amr;
  const hash = p.sessionHash;
  if (!deps.sso || !hash) return ['pwd'];
  const sso = deps.sso;
  const id = await sso.store.read((r) => r.sso.sessionIdentity(hash));
  return id ? ['fed'] : ['pwd'];
}

/** As oidc-provider's interactionResult does: the result is kept until the interaction expires. */
async function saveResult(i: Interaction, result: Record<string, unknown>): Promise<string> {
  i.result = result;
  await i.save(Math.max(1, i.exp - Math.floor(Date.now() / 1000)));
  return i.returnTo as string;
}
