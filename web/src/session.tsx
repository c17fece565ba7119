import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, must, onSessionEnded, setCsrfToken } from './api/client';
import type { Me, MeTenant } from './api/types';

type State = { status: 'loading' } | { status: 'signed-out'; notice?: string } | { status: 'signed-in'; me: Me };

interface Session {
  state: State;
  /**
   * A password sign-in. Resolves to the second step's pending token when the account has a second
   * factor (issue 16), else signs in.
   */
  signIn(input: { tenant: string; username: string; password: string }): Promise<SecondStep | undefined>;
  /** The second step: a TOTP code or a recovery code with the pending token. */
  completeSecondFactor(input: { pendingToken: string } & ({ code: string } | { recoveryCode: string })): Promise<void>;
  signOut(): Promise<void>;
  switchTenant(t: MeTenant): Promise<void>;
  refresh(): Promise<void>;
  /** Permission check for showing actions; the server decides again on every request. */
  can(permission: string): boolean;
}

/** What a password sign-in of an account with a second factor answers: the step still to take. */
export interface SecondStep {
  pendingToken: string;
  factors: string[];
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in view of /me; screens below the shell may rely on it. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while signed out');
  return state.me;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const me = await must(api.GET('/api/v1/me'));
      setCsrfToken(me.csrfToken);
      setState({ status: 'signed-in', me });
    } catch (e) {
      setCsrfToken(undefined);
      const expired = e instanceof ApiError && e.problem.status === 401 ? undefined : (e as Error).message;
      setState({ status: 'signed-out', ...(expired ? { notice: expired } : {}) });
    }
  }, []);

  useEffect(() => {
    void refresh();
    onSessionEnded(() => {
      setCsrfToken(undefined);
      setState({ status: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' });
    });
  }, [refresh]);

  const session = useMemo<Session>(
    () => ({
      state,
      refresh,
      async signIn(input) {
        const res = await must(api.POST('/api/v1/auth/login', { body: input }));
        if ('secondFactorRequired' in res) return { pendingToken: res.pendingToken, factors: res.factors };
        setCsrfToken(res.csrfToken);
        await refresh();
        return undefined;
      },
      async completeSecondFactor(input) {
        const res = await must(api.POST('/api/v1/auth/login/second-factor', { body: input }));
        setCsrfToken(res.csrfToken);
        await refresh();
      },
      async signOut() {
        await must(api.POST('/api/v1/auth/logout')).catch(() => undefined);
        setCsrfToken(undefined);
        window.location.hash = '';
        setState({ status: 'signed-out' });
      },
      async switchTenant(t) {
        if (t.relation === 'sso') {
          // Another user (same external identity) in that tenant: a new session, a new token.
          const res = await must(api.POST('/api/v1/auth/sso/switch', { body: { tenantId: t.id } }));
          setCsrfToken(res.csrfToken);
        } else {
          await must(api.PUT('/api/v1/me/acting-tenant', { body: { tenantId: t.id } }));
        }
        window.location.hash = '#/users';
        await refresh();
      },
      can(permission) {
        return state.status === 'signed-in' && state.me.permissions.includes(permission);
      },
    }),
    [state, refresh],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
