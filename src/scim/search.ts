import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ScimDeps } from '../app/scim/scim-model.js';
import type { ScimListParams } from './list-query.js';
import { GROUPS, type ListedType, listAnswer, searchAll, USERS } from './listing.js';
import { callOf, type ScimApi, sendScim } from './scim-call.js';
import { scimInvalid } from './scim-errors.js';
import { URN } from './scim-schemas.js';
import { isObject } from './values.js';

const MAX_TEXT = 1000;

/** A list of attribute names as a SearchRequest carries it (RFC 7644 §3.4.3), as the query would. */
function namesOf(v: unknown, member: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
    throw scimInvalid('invalidValue', `${member} must be a list of attribute names`);
  }
  return list.join(',');
}

function numberOf(v: unknown, member: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d{1,12}$/.test(v))) {
    return String(v);
  }
  throw scimInvalid('invalidValue', `${member} must be an integer`);
}

/**
 * A SearchRequest body as the parameters of a GET list, so both answer alike. `sortBy` and
 * `sortOrder` are ignored, as sorting is declared unsupported in the ServiceProviderConfig.
 */
export function searchParamsOf(body: unknown): ScimListParams {
  if (!isObject(body)) throw scimInvalid('invalidSyntax', 'The body must be a SearchRequest object');
  if (body.schemas !== undefined && !(Array.isArray(body.schemas) && body.schemas.includes(URN.searchRequest))) {
    throw scimInvalid('invalidSyntax', `The schemas of a search must name ${URN.searchRequest}`);
  }
  if (body.filter !== undefined && (typeof body.filter !== 'string' || body.filter.length > MAX_TEXT)) {
    throw scimInvalid('invalidFilter', `filter must be a string of at most ${MAX_TEXT} characters`);
  }
  const out: ScimListParams = {
    filter: body.filter as string | undefined,
    startIndex: numberOf(body.startIndex, 'startIndex'),
    count: numberOf(body.count, 'count'),
    attributes: namesOf(body.attributes, 'attributes'),
    excludedAttributes: namesOf(body.excludedAttributes, 'excludedAttributes'),
  };
  if ((out.attributes?.length ?? 0) > MAX_TEXT || (out.excludedAttributes?.length ?? 0) > MAX_TEXT) {
    throw scimInvalid('invalidValue', `At most ${MAX_TEXT} characters of attribute names`);
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** POST …/.search (RFC 7644 §3.4.3): a query in the body, for filters too long or private for a URL. */
export function searchRoutes(app: ScimApi, deps: ScimDeps): void {
  const hide = { hide: true } as const;
  const searchOf = (type: ListedType) => async (req: FastifyRequest, reply: FastifyReply) =>
    sendScim(reply, 200, await listAnswer(deps, callOf(req), type, searchParamsOf(req.body)));
  app.post('/:tenant/Users/.search', { schema: hide }, searchOf(USERS));
  app.post('/:tenant/Groups/.search', { schema: hide }, searchOf(GROUPS));
  app.post('/:tenant/.search', { schema: hide }, async (req, reply) =>
    sendScim(reply, 200, await searchAll(deps, callOf(req), searchParamsOf(req.body))),
  );
}
