import {
  APP_AUTH_METHODS,
  APP_KINDS,
  DEFAULT_GRANT_TYPES,
  defaultAuthMethod,
  defaultScopes,
  registrationProblems,
  usesSecret,
} from '../../domain/app-registration.js';
import type { App, AppAuthMethod, AppGrantType, AppKind } from '../../domain/apps.js';
import { AppError } from '../../domain/errors.js';
import { Checker } from '../../domain/validation.js';
import { assertNoErrors, type Ctx } from '../context.js';
import {
  type AppOwner,
  type AppsDeps,
  type AppView,
  appView,
  auditApp,
  authorizeApps,
  newClientId,
  newClientSecret,
  ownerTenantId,
} from './app-access.js';

export interface CreateAppInput {
  name: string;
  kind?: AppKind;
  authMethod?: AppAuthMethod;
  jwks?: App['jwks'];
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  scopes?: string[];
  grantTypes?: AppGrantType[];
  firstParty?: boolean;
}

/** A new app, with its client secret when it has one: shown this once, stored only hashed. */
export type CreatedApp = AppView & { clientSecret?: string };

const unique = <T>(xs: readonly T[] | undefined): T[] => [...new Set(xs ?? [])];

/** The whole registration, defaults filled in, or `app.invalid` naming every problem. */
function registration(input: CreateAppInput, ctx: Ctx | null) {
  const operator = ctx === null;
  const c = new Checker();
  const kind = c.oneOf('kind', input.kind ?? 'confidential', APP_KINDS) as AppKind;
  const authMethod = c.oneOf('authMethod', input.authMethod ?? defaultAuthMethod(kind), APP_AUTH_METHODS);
  assertNoErrors(c.errors);
  const grantTypes = unique(input.grantTypes ?? DEFAULT_GRANT_TYPES);
  const reg = {
    name: input.name.trim(),
    kind,
    authMethod: authMethod as AppAuthMethod,
    jwks: input.jwks ?? null,
    redirectUris: unique(input.redirectUris),
    postLogoutRedirectUris: unique(input.postLogoutRedirectUris),
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
    scopes: unique(input.scopes ?? defaultScopes(grantTypes)),
    grantTypes,
    firstParty: input.firstParty ?? false,
  };
  const errors = registrationProblems(reg, {
    operator,
    mayAllowDecisions: ctx?.actor.permissions.has('decisions.read') ?? true,
  });
  if (errors.length) throw new AppError('app.invalid', 'The app registration is invalid', { errors });
  return reg;
}

/**
 * Registers an app (an OAuth client of Kontor's OpenID Provider, issue 15 #2). The client_id
 * is generated, never chosen: a chosen one could be guessed or collide with another tenant's.
 */
export async function createApp(
  deps: AppsDeps,
  ctx: Ctx | null,
  owner: Exclude<AppOwner, 'any'>,
  input: CreateAppInput,
): Promise<CreatedApp> {
  const reg = registration(input, ctx);
  await authorizeApps(deps, ctx, owner);
  const secret = usesSecret(reg.authMethod) ? newClientSecret(deps.tokens) : undefined;
  return deps.store.transaction(async (r) => {
    const now = deps.clock.now();
    const app = await r.apps.insert({
      ...reg,
      id: newClientId(deps.tokens),
      tenantId: await ownerTenantId(r, owner),
      secretHash: secret === undefined ? null : deps.tokens.hash(secret),
      enabled: true,
      createdBy: ctx?.actor.userId ?? null,
      createdAt: now,
      updatedAt: now,
    });
    const { jwks, ...described } = reg;
    await auditApp(r, ctx, now, app, {
      action: 'app.created',
      details: { ...described, ...(jwks ? { keys: jwks.keys.length } : {}) },
    });
    return { ...appView(app), ...(secret === undefined ? {} : { clientSecret: secret }) };
  });
}
