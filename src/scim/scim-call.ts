import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../app/context.js';
import { AppError } from '../domain/errors.js';
import type { Tenant } from '../domain/tenant.js';
import type { Api } from '../http/types.js';
import { SCIM_CONTENT_TYPE } from './scim-schemas.js';
import type { Json } from './values.js';

/** Who calls, for which tenant, and the base URL of that tenant's SCIM endpoints. */
export interface ScimCall {
  ctx: Ctx;
  tenant: Tenant;
  base: string;
}

export const calls = new WeakMap<FastifyRequest, ScimCall>();

export function callOf(req: FastifyRequest): ScimCall {
  const c = calls.get(req);
  if (!c) throw new AppError('auth.unauthenticated', 'Send a Kontor API token as Authorization: Bearer kt_…');
  return c;
}

export const sendScim = (reply: FastifyReply, status: number, body: Json): FastifyReply =>
  reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));

/** The SCIM routes see the same TypeBox-typed instance as the API routes. */
export type ScimApi = Api;
