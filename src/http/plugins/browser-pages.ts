import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { simplePage } from '../../oidc/pages.js';
import { logProblem, type Problem, STORAGE_RETRY_AFTER_SECONDS, sendProblem, toProblem } from './problem.js';

/**
 * True when the caller would rather read HTML than JSON: a browser's top-level navigation
 * (`text/html,application/xhtml+xml,…`). `*\/*`, no header, or JSON ranked at least as high
 * keep the problem+json an API client expects.
 */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    else if (type === 'application/json' || type.endsWith('+json')) json = Math.max(json, q);
  }
  return html > 0 && html > json;
}

interface Words {
  title: string;
  paragraphs: string[];
}

const AGAIN = 'Go back to the app or to Kontor’s sign-in page and start again.';

/**
 * A refused external sign-in in words for the person at the browser. The reasons that concern
 * her account (locked, not linked, no access) are named: she has just proved the identity at
 * her provider, so they tell her nothing about anyone else. Reasons about the flow itself (a
 * foreign or replayed state, a token that failed a check) stay generic, as in the JSON.
 */
export function ssoRefusalInWords(reason: string): Words {
  const title = 'Your sign-in was refused';
  if (reason === 'user_locked') {
    return {
      title,
      paragraphs: [
        'Your account in this tenant is locked.',
        'An administrator of your organisation can unlock it; then sign in again.',
      ],
    };
  }
  if (reason === 'user_disabled' || reason.startsWith('user_')) {
    return {
      title,
      paragraphs: [
        'Your account in this tenant is disabled.',
        'Ask an administrator of your organisation to enable it again.',
      ],
    };
  }
  if (reason.startsWith('tenant_')) {
    return {
      title,
      paragraphs: [
        'This tenant is suspended: nobody can sign in to it at the moment.',
        'Ask your provider or an administrator of your organisation.',
      ],
    };
  }
  if (
    [
      'not_linked',
      'no_user',
      'no_local_user',
      'email_ambiguous',
      'email_not_verified',
      'email_mapping_not_standard',
      'no_email',
      'domain_not_vouched',
      'local_email_not_verified',
    ].includes(reason)
  ) {
    return {
      title,
      paragraphs: [
        'Your identity provider signed you in, but no account in this tenant belongs to that identity.',
        'Ask an administrator of the tenant to link your account to it, or sign in with your Kontor password.',
      ],
    };
  }
  if (
    ['connection_disabled', 'connection_not_enabled', 'unknown_connection', 'connection_deleted'].includes(reason) ||
    reason === 'no_longer_offered' ||
    reason === 'jit_roles_not_allowed' ||
    reason.startsWith('failed_')
  ) {
    return {
      title,
      paragraphs: [
        'This way of signing in gives no access to this tenant (any more).',
        'Ask an administrator of the tenant, or sign in another way.',
      ],
    };
  }
  if (reason.startsWith('state_')) {
    return {
      title: 'This sign-in cannot be finished',
      paragraphs: [
        'The answer of the identity provider does not belong to a sign-in started in this browser, or it was used already.',
        AGAIN,
      ],
    };
  }
  return {
    title,
    paragraphs: ['Kontor could not verify the answer of your identity provider.', AGAIN],
  };
}

function inWords(err: unknown, p: Problem): Words {
  if (isAppError(err) && err.code === 'sso.rejected') {
    return ssoRefusalInWords(String(err.details?.reason ?? ''));
  }
  if (p.status >= 500) {
    return { title: 'Something went wrong', paragraphs: ['Kontor could not finish your sign-in.', AGAIN] };
  }
  return { title: p.title, paragraphs: [p.detail, AGAIN] };
}

/**
 * The error handler of the routes a browser navigates to (the SSO start and callback): a page
 * a person can read, with a link back, when the browser asks for HTML; problem+json otherwise.
 */
export function browserErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const p = toProblem(err);
  logProblem(req, err, p);
  if (!wantsHtml(req.headers.accept)) return sendProblem(reply, p);
  const words = inWords(err, p);
  if (p.code === 'storage.unavailable') reply.header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
  return reply
    .code(p.status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(simplePage(words.title, words.paragraphs));
}
