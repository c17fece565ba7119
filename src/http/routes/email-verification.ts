import { Type } from '@sinclair/typebox';
import { attestEmail, confirmEmail, requestEmailVerification } from '../../app/auth/email-verification.js';
import { ctxOf, metaOf } from '../plugins/auth.js';
import { errors, IdParams, NoContent } from '../schemas.js';
import type { Api, RouteDeps } from '../types.js';

const strict = { additionalProperties: false } as const;

/** Verified addresses (issue 14 #6, decision 0006): the owner's link, or an administrator's word. */
export function emailVerificationRoutes(app: Api, { deps }: RouteDeps): void {
  app.post(
    '/auth/verify-email',
    {
      // Anonymous: the unguessable, single-use token is the proof.
      config: { auth: 'none', noIdempotency: true },
      schema: {
        tags: ['auth'],
        summary: 'Confirm an e-mail address with the token of its verification link',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, strict),
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await confirmEmail(deps, req.body, metaOf(req));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/email-verification',
    {
      schema: {
        tags: ['me'],
        summary: 'Send a (new) verification link to the own address',
        response: { 202: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      await requestEmailVerification(deps, ctx, ctx.actor.userId);
      return reply.code(202).send(null);
    },
  );

  app.post(
    '/users/:id/email-verification',
    {
      schema: {
        tags: ['users'],
        summary: 'Send a (new) verification link to the user’s address; needs users.update',
        params: IdParams,
        response: { 202: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await requestEmailVerification(deps, ctxOf(req), req.params.id);
      return reply.code(202).send(null);
    },
  );

  app.post(
    '/users/:id/email-attestation',
    {
      schema: {
        tags: ['users'],
        summary: 'Mark the user’s current address verified without a link; needs users.email.attest and the rank rule',
        params: IdParams,
        response: { 204: NoContent, ...errors },
      },
    },
    async (req, reply) => {
      await attestEmail(deps, ctxOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
