import { useState } from 'react';
import { type ApiError, raw } from '../../api/client';

/** What the OpenID Provider's sign-in asks of the person (GET /api/v1/oidc/interactions/{uid}). */
export interface InteractionView {
  app: { name: string; firstParty: boolean };
  tenants: { id: string; slug: string; name: string; kind: string }[];
  scopes: string[];
  needsConsent: boolean;
}

const base = (uid: string) => `/api/v1/oidc/interactions/${encodeURIComponent(uid)}`;

export async function loadInteraction(uid: string): Promise<InteractionView> {
  return (await raw(base(uid))).json() as Promise<InteractionView>;
}

async function post(path: string, body: unknown): Promise<string> {
  const res = await raw(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { redirectTo: string }).redirectTo;
}

export const chooseTenant = (uid: string, tenantId: string) => post(`${base(uid)}/tenant`, { tenantId });
export const answerConsent = (uid: string, approve: boolean) => post(`${base(uid)}/consent`, { approve });

/**
 * Where the console goes after sign-in when an app's sign-in sent the person here
 * (`/?return=/oidc/interaction/…`). Only the provider's interaction paths of this origin: anything
 * else would make the sign-in page an open redirect.
 */
export function returnPath(search: string): string | undefined {
  const r = new URLSearchParams(search).get('return');
  return r && /^\/oidc\/interaction\/[A-Za-z0-9_-]+$/.test(r) ? r : undefined;
}

/**
 * The one action of the chooser and consent pages: ask the server, then follow the address it
 * answers back to the app; a refusal stays on the page. `busy` names the running choice.
 */
export function useRedirectingAction<K extends string>() {
  const [busy, setBusy] = useState<K>();
  const [error, setError] = useState<ApiError>();
  const run = async (key: K, call: () => Promise<string>) => {
    setBusy(key);
    setError(undefined);
    try {
      window.location.assign(await call());
    } catch (e) {
      setError(e as ApiError);
      setBusy(undefined);
    }
  };
  return { busy, error, run };
}
