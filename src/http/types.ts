import type {} from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { AuthDeps, Principal } from '../app/auth/auth-deps.js';
import type { RequestMeta } from '../app/context.js';

/** The Fastify instance the routes see: TypeBox schemas type the handlers. */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  deps: AuthDeps;
  cookieName: string;
  secureCookies: boolean;
  /**
   * The caller behind an access token of Kontor's own OP (decision 0016), for the routes marked
   * `opTokens`; absent (no OP), such tokens are refused everywhere.
   */
  opTokens?: (bearer: string, meta: RequestMeta) => Promise<Principal>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `none`: public; `optional`: principal if any; `required` (default under /api/v1). */
    auth?: 'none' | 'optional' | 'required';
    /** Open while a forced password change is pending (me, change password, logout). */
    allowPending?: boolean;
    /** Open while the security policy holds the session at second-factor enrolment (issue 16). */
    allowMfaEnrolment?: boolean;
    /** A sensitive action: a session needs a factor proven within the step-up window (issue 16 #5). */
    stepUp?: boolean;
    /** Idempotency-Key is ignored (sign-in style endpoints whose answer carries a secret). */
    noIdempotency?: boolean;
    /** Accepts access tokens of Kontor's own OP with scope `kontor.decisions` (the decision API only). */
    opTokens?: boolean;
    /**
     * A retry whose first answer was lost after its work committed is answered by running the
     * handler again with its transactions replayed from the journal: only for handlers that send
     * the result of their use case's single transaction as it is.
     */
    replayable?: boolean;
    /**
     * The success answer carries a secret (an API token, a password link): an Idempotency-Key
     * stores only a marker and a repeat is refused (`request.secret_not_replayable`).
     */
    secretBearing?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
