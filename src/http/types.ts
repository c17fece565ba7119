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
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `none`: public; `optional`: principal if any; `required` (default under /api/v1). */
    auth?: 'none' | 'optional' | 'required';
    /** Open while a forced password change is pending (me, change password, logout). */
    allowPending?: boolean;
    /** Idempotency-Key is ignored (sign-in style endpoints whose answer carries a secret). */
    noIdempotency?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
