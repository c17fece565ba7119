import { AppError, type ErrorCode, isAppError } from '../domain/errors.js';
import { toProblem } from '../http/plugins/problem.js';
import { type ScimType, URN } from './scim-schemas.js';

/** A 400 with an RFC 7644 scimType, carried by the one AppError type (code validation.invalid). */
export const scimInvalid = (scimType: ScimType, detail: string): AppError =>
  new AppError('validation.invalid', detail, { details: { scimType } });

const TYPE_BY_CODE: Partial<Record<ErrorCode, ScimType>> = {
  'validation.invalid': 'invalidValue',
  'validation.field_value': 'invalidValue',
  'validation.password_policy': 'invalidValue',
  'role.unknown': 'invalidValue',
  'user.login_taken': 'uniqueness',
  'user.primary_exists': 'uniqueness',
  'resource.conflict': 'uniqueness',
};

export interface ScimErrorBody {
  schemas: string[];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/**
 * Any failure as an RFC 7644 §3.12 error: the status as a string, a scimType where the RFC has
 * one. The problem+json mapping decides the status, so both APIs answer a failure alike.
 */
export function scimErrorOf(err: unknown): ScimErrorBody {
  const p = toProblem(err);
  const explicit = isAppError(err) ? (err.details?.scimType as ScimType | undefined) : undefined;
  // Parser errors (malformed JSON) are syntax errors, not bad values.
  const syntax = !isAppError(err) && p.status === 400 ? 'invalidSyntax' : undefined;
  const scimType = explicit ?? syntax ?? (p.status < 500 ? TYPE_BY_CODE[p.code] : undefined);
  const fields = p.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  return {
    schemas: [URN.error],
    status: String(p.status),
    ...(scimType ? { scimType } : {}),
    detail: fields ? `${p.detail} (${fields})` : p.detail,
  };
}
