import { Type } from '@sinclair/typebox';
import { checkAccess, MAX_CHECK_BATCH } from '../../app/check-access.js';
import { ctxOf } from '../plugins/auth.js';
import { errors } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;
const tags = ['decisions'];

// Ids are plain text, not uuid-formatted: a malformed id is just an unknown one (allowed: false),
// so an app can pass whatever it holds without handling a 400.
const Query = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 100 }),
    tenantId: Type.String({ minLength: 1, maxLength: 100 }),
    permission: Type.String({ minLength: 1, maxLength: 200 }),
  },
  strict,
);

const Answer = Type.Object({
  allowed: Type.Boolean(),
  reason: Type.Optional(
    Type.Union([Type.Literal('permission_unknown'), Type.Literal('no_access'), Type.Literal('not_granted')], {
      description:
        'no_access: the user may not act in the tenant, or the user or tenant is unknown or outside the ' +
        "caller's subtree (indistinguishable on purpose); not_granted: it may act there without this permission",
    }),
  ),
});

/**
 * Decisions for apps (DESIGN §4): callers need `decisions.read`; answers cover their subtree.
 * Besides API tokens and sessions, an app's own OP access token with `kontor.decisions` is
 * accepted here, and only here (decision 0016).
 */
export function decisionRoutes(app: Api, { deps }: RouteDeps): void {
  app.post(
    '/check',
    {
      config: { noIdempotency: true, opTokens: true },
      schema: {
        tags,
        summary: 'May this user do this in this tenant? Answers for the caller’s acting tenant and its subtree',
        body: Query,
        response: { 200: Answer, ...errors },
      },
    },
    async (req) => (await checkAccess(deps, ctxOf(req), [req.body]))[0],
  );

  app.post(
    '/check/batch',
    {
      // 1,000 queries of the longest allowed ids need about 450 KiB; the server default is 64 KiB.
      bodyLimit: 512 * 1024,
      config: { noIdempotency: true, opTokens: true },
      schema: {
        tags,
        summary: `Up to ${MAX_CHECK_BATCH} decisions in one request, answered in order`,
        body: Type.Object({ queries: Type.Array(Query, { minItems: 1, maxItems: MAX_CHECK_BATCH }) }, strict),
        response: { 200: Type.Object({ results: Type.Array(Answer) }), ...errors },
      },
    },
    async (req) => ({ results: await checkAccess(deps, ctxOf(req), req.body.queries) }),
  );
}
